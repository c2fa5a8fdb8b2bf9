"""The receiver's check printed in docs/webhooks.md accepts real deliveries and nothing else."""

import re
from pathlib import Path

from rapport.webhooks import sending, services
from rapport.webhooks.signing import signature_header

DOC = Path(__file__).parents[2] / "docs" / "webhooks.md"


def _docs_verify():
    [code] = [
        block
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
        if "def verify(" in block
    ]
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace["verify"]


def test_the_documented_check_accepts_what_the_receiver_got(world, endpoint, receiver):
    verify = _docs_verify()
    sending.attempt(services.send_test_event(by=world.ada, endpoint=endpoint).pk)
    [got] = receiver.received
    header = got.headers["Rapport-Signature"]

    assert verify(endpoint.secret, header, got.body) is True
    assert verify(endpoint.secret, header, got.body + b" ") is False
    assert verify("whsec_someone-else", header, got.body) is False
    assert verify(endpoint.secret, "v1=" + header.split("v1=")[1], got.body) is False


def test_the_documented_check_refuses_an_old_signature(endpoint):
    verify = _docs_verify()
    body = b'{"event": "webhook.test"}'
    old = signature_header(endpoint.secret, 1_700_000_000, body)

    assert verify(endpoint.secret, old, body) is False
