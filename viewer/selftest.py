"""`customer-viewer --self-test`: placeholder until the packaging work lands (issue 7)."""


def run_self_test() -> int:
    print("self-test: not written yet")
    return 1
