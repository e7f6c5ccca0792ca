#!/usr/bin/python3
"""Verifies the DKIM signatures of a message with dkimpy, the keys looked up in a given DNS server.

    dkim-verify.py <dns-host> <dns-port> <message-file> [as-is|body|subject]

The message file is what an smtp-sink dump holds: the sink's envelope lines (X-Client-Addr, ...,
X-Rcpt-Args) are dropped, the rest is the message as received. "body" changes one letter of the
body, "subject" one letter of the Subject, before verifying. Prints one line per signature
(a=, d=, s=, pass/FAIL) and exits 0 when there is at least one signature and every one passes,
1 when any fails, 2 when there is none.
"""
import re
import sys

import dkim
import dns.resolver

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else "as-is"

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = port
lookups = []


def dnsfunc(name, timeout=5):
    """The TXT record as the DNS server publishes it, its strings joined."""
    qname = name.decode() if isinstance(name, bytes) else name
    try:
        answer = resolver.resolve(qname, "TXT", lifetime=timeout, raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
        lookups.append((qname, None))
        return None
    for rrset in answer.response.answer:
        if rrset.rdtype == dns.rdatatype.TXT:
            value = b"".join(list(rrset.items)[0].strings)
            lookups.append((qname, value))
            return value
    lookups.append((qname, None))
    return None


with open(path, "rb") as f:
    raw = f.read()
lines = raw.split(b"\n")
envelope = re.compile(rb"^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args|Xforward-[A-Za-z]+):")
while lines and envelope.match(lines[0]):
    lines.pop(0)
# The dump has bare LF line ends; SMTP's are CRLF.
message = b"\r\n".join(line.rstrip(b"\r") for line in lines)

head, sep, body = message.partition(b"\r\n\r\n")
if mode == "body":
    m = re.search(rb"[A-Za-z]", body)
    if not m:
        sys.exit("no letter in the body to change")
    i = m.start()
    body = body[:i] + bytes([body[i] ^ 0x20]) + body[i + 1:]  # the letter's case
elif mode == "subject":
    m = re.search(rb"(?im)^Subject:[ \t]*([^\r\n]*?[A-Za-z])", head)
    if not m:
        sys.exit("no Subject to change")
    i = m.end(1) - 1
    head = head[:i] + bytes([head[i] ^ 0x20]) + head[i + 1:]
message = head + sep + body

d = dkim.DKIM(message)
signatures = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
if not signatures:
    print("no DKIM-Signature header")
    sys.exit(2)
ok = True
for idx, value in enumerate(signatures):
    tags = dict(
        (t.split(b"=", 1)[0].strip(), t.split(b"=", 1)[1].strip())
        for t in re.sub(rb"\s+", b"", value).split(b";")
        if b"=" in t
    )
    try:
        passed = d.verify(idx=idx, dnsfunc=dnsfunc)
    except dkim.DKIMException as e:
        passed = False
        print(f"  ({e})")
    ok = ok and passed
    print(
        "  signature %d: a=%s d=%s s=%s c=%s: %s"
        % (idx + 1, tags.get(b"a", b"?").decode(), tags.get(b"d", b"?").decode(),
           tags.get(b"s", b"?").decode(), tags.get(b"c", b"?").decode(), "pass" if passed else "FAIL")
    )
for name, value in lookups:
    print(f"  DNS TXT {name}: {'found' if value else 'none'}")
sys.exit(0 if ok else 1)
