"""Dynamic sampling (DAPO's group filter, verl's) with a memory of prompts that carry no signal."""
