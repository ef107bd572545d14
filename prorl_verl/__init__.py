"""prorl-verl: the ProRL recipe as plugins for verl 0.9.1."""
