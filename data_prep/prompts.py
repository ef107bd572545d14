"""The prompt each domain's rows carry, as chat messages.

One place so that data conversion, the tiny demo model's warm-up and evaluation all render a
problem the same way. The instructions match what each domain's verifier reads: math and
STEM answers in the last ``\\boxed{}``, code in the last fenced block, reasoning-gym answers in
``<answer>`` tags (reasoning-gym's own default instruction).
"""

from reasoning_gym.utils import SYSTEM_PROMPTS

MATH_INSTRUCTION = "Let's think step by step and output the final answer within \\boxed{}."
REASONING_GYM_INSTRUCTION = SYSTEM_PROMPTS["default"]


def user_message(content: str) -> list[dict]:
    """A single-turn chat prompt (R1-style models take no system prompt)."""
    return [{"role": "user", "content": content}]


def math_messages(problem: str) -> list[dict]:
    return user_message(f"{problem.strip()} {MATH_INSTRUCTION}")


def reasoning_gym_messages(question: str) -> list[dict]:
    return user_message(f"{REASONING_GYM_INSTRUCTION}\n\n{question.strip()}")
