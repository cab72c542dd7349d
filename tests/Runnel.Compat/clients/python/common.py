"""Shared by the Runnel.Compat python scripts: the test records and JSON-lines output.

The keys and values match tests/Runnel.Compat/Infrastructure/TestRecords.cs: record i has key
"key-i" and a compressible UTF-8 value with a non-ASCII character.
"""
import argparse
import json
import sys

PADDING = "runnel compat payload " * 12


def key(i):
    return ("key-%d" % i).encode("utf-8")


def value(i):
    return ("value-%d caf\u00e9 %s" % (i, PADDING)).encode("utf-8")


def text(data):
    """Bytes as a JSON string (UTF-8), None stays null."""
    return None if data is None else data.decode("utf-8")


def emit(**fields):
    """One result line on stdout; diagnostics go to stderr."""
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def record_fields(partition, offset, timestamp, key_bytes, value_bytes, headers):
    """The fields of a "record" line, as Infrastructure/ObservedRecord.cs reads them."""
    return dict(event="record", partition=partition, offset=offset, timestamp=timestamp, key=text(key_bytes),
                value=text(value_bytes), headers=[[k, text(v)] for k, v in headers])


def parser(description, commands):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("command", choices=commands)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--partition", type=int, default=0)
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--compression", default="none")
    p.add_argument("--group", default=None, help="consumer group (subscribe) instead of assign")
    p.add_argument("--expect-partitions", type=int, default=1,
                   help="group-member: consume only while the assignment has this many partitions")
    p.add_argument("--linger-file", default=None,
                   help="group-member: after committing, stay in the group until this file exists")
    p.add_argument("--assignor", default=None, help="group-member: the one partition assignment strategy to offer")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before the script gives up")
    p.add_argument("--debug", action="store_true", help="protocol debug logging to stderr")
    p.add_argument("--idempotent", action="store_true", help="produce: an idempotent producer (confluent-kafka only)")
    p.add_argument("--output", default=None, help="transform: the topic results are written to")
    p.add_argument("--transactional-id", default=None, help="transform: the producer's transactional.id")
    return p
