"""Texts of 100 kB shaped to make a careless pattern backtrack: shared by the guard test
and benchmarks/privacy_speed.py."""

import random


def adversarial_inputs() -> dict[str, str]:
    size = 100_000
    rng = random.Random(7)
    return {
        "digits": "1" * size,
        "spaced zeros": "0 " * (size // 2),
        "random spaced digits": " ".join(rng.choice("0123456789") for _ in range(size // 2)),
        "phone numbers": "".join(f"06{rng.randint(10**7, 10**8 - 1)} " for _ in range(size // 11)),
        "international": "".join(
            f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
            for _ in range(size // 17)
        ),
        "zero-width": "\u200b".join("0612345678" for _ in range(size // 11)),
        "letters": "a" * size,
        "capitalised names": "Jan de Vries " * (size // 13),
        "at signs": "a@" * (size // 2),
        "iban-like": "NL91 ABNA 0417 1643 01 " * (size // 23),
        "valid ibans": "NL91 ABNA 0417 1643 00 " * (size // 23),
        "mixed scripts": "".join(rng.choice("aбв中文٣١0١２３ـ\u200ex@.-+ ") for _ in range(size)),
        "postcodes": "1234 AB " * (size // 8),
        "streets": "Kalverstraat 12 " * (size // 16),
        "street words": "Aaa Bbb Ccc Dddstraat " * (size // 22),
        "dashes": "-" * size,
        "dates of birth": "geboren op 12-03-1985 " * (size // 22),
        "long url": "facebook.com/" + "a" * size,
        "self references": "mijn buurman " * (size // 13),
        "nine digits": "111222333 " * (size // 10),
    }
