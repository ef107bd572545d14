"""The prompt each domain's rows carry, as chat messages.

One place so that data conversion, the tiny demo model's warm-up and evaluation all render a
problem the same way. The instructions match what each domain's verifier reads: math and
STEM answers in the last ``\\boxed{}``, code in the last fenced block, reasoning-gym answers in
``<answer>`` tags (reasoning-gym's own default instruction).
"""

from reasoning_gym.utils import SYSTEM_PROMPTS

MATH_INSTRUCTION = "Let's think step by step and output the final answer within \\boxed{}."
REASONING_GYM_INSTRUCTION = SYSTEM_PROMPTS["default"]
CODE_INSTRUCTION = (
    "Write Python code to solve the problem. Present the final code in a single "
    "```python fenced block at the end of your answer."
)
CHOICE_INSTRUCTION = (
    "Let's think step by step and output the letter of the correct choice within \\boxed{}."
)
# Every instruction text a prompt may carry (de-duplication compares problems without them).
INSTRUCTIONS = (MATH_INSTRUCTION, REASONING_GYM_INSTRUCTION, CODE_INSTRUCTION, CHOICE_INSTRUCTION)


def user_message(content: str) -> list[dict]:
    """A single-turn chat prompt (R1-style models take no system prompt)."""
    return [{"role": "user", "content": content}]


def math_messages(problem: str) -> list[dict]:
    return user_message(f"{problem.strip()} {MATH_INSTRUCTION}")


def reasoning_gym_messages(question: str) -> list[dict]:
    return user_message(f"{REASONING_GYM_INSTRUCTION}\n\n{question.strip()}")


def code_messages(problem: str) -> list[dict]:
    return user_message(f"{problem.strip()}\n\n{CODE_INSTRUCTION}")


def choice_messages(question: str) -> list[dict]:
    """A multiple-choice question whose choices are lettered in its text (GPQA)."""
    return user_message(f"{question.strip()}\n\n{CHOICE_INSTRUCTION}")
