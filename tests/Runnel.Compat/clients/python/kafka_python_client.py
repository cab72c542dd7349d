#!/usr/bin/python3
"""kafka-python (Debian python3-kafka 2.0.2) scenarios for Runnel.Compat.

Usage: kafka_python_client.py produce|consume|group-member|create-topic|list-topics --bootstrap HOST:PORT --topic T [...]
Prints JSON lines on stdout; exits non-zero when the scenario did not complete.
kafka-python negotiates by itself: it probes the broker with ApiVersions v0 and Metadata v0 sent
pipelined on the bootstrap connection and infers a broker release from the answer.
"""
import logging
import os
import sys
import time

import kafka
from kafka.structs import OffsetAndMetadata
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

from common import emit, key, parser, record_fields, text, value

CLIENT_ID = "runnel-compat-kafka-python"


def produce(args):
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        client_id=CLIENT_ID,
        acks=1,
        linger_ms=5,
        compression_type=None if args.compression == "none" else args.compression,
        max_block_ms=int(args.timeout * 1000),
        request_timeout_ms=int(args.timeout * 1000),
    )
    emit(event="connected", api_version=list(producer.config["api_version"]))
    futures = []
    for i in range(args.count):
        headers = [("index", str(i).encode()), ("client", b"kafka-python")]
        futures.append(producer.send(args.topic, key=key(i), value=value(i), headers=headers, partition=args.partition))
    producer.flush(timeout=args.timeout)
    failed = 0
    for i, future in enumerate(futures):
        try:
            metadata = future.get(timeout=args.timeout)
            emit(event="sent", index=i, partition=metadata.partition, offset=metadata.offset)
        except Exception as e:  # report every failure, not just the first
            failed += 1
            emit(event="send_failed", index=i, error=repr(e))
    producer.close(timeout=args.timeout)
    emit(event="done", sent=args.count - failed, failed=failed)
    return 0 if failed == 0 else 1


def consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        client_id=CLIENT_ID,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
    )
    emit(event="connected", api_version=list(consumer.config["api_version"]))
    if args.group:
        # Group member: the coordinator assigns partitions; the position comes from the group's commit.
        consumer.subscribe([args.topic])
    else:
        partition = TopicPartition(args.topic, args.partition)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
    received = 0
    last = {}
    deadline = time.monotonic() + args.timeout
    while received < args.count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            for r in records:
                if received >= args.count:
                    break
                last[TopicPartition(r.topic, r.partition)] = r.offset
                emit(
                    event="record",
                    partition=r.partition,
                    offset=r.offset,
                    timestamp=r.timestamp,
                    key=text(r.key),
                    value=text(r.value),
                    headers=[[k, text(v)] for k, v in r.headers],
                )
                received += 1
    if args.group and last:
        # Commit exactly after the last record printed (a poll may return more than --count).
        consumer.commit({tp: OffsetAndMetadata(offset + 1, None) for tp, offset in last.items()})
    consumer.close()
    emit(event="done", received=received)
    return 0 if received >= args.count else 1


class _Member(ConsumerRebalanceListener):
    """group-member state; as the rebalance listener it pauses every partition of an assignment of
    the wrong size (and all of them once done), so nothing is fetched until the group has settled."""

    def __init__(self, consumer, expected):
        self.consumer = consumer
        self.expected = expected
        self.done = False
        self.ends = None  # high watermarks of the current assignment, read once it has settled

    def settled(self):
        return not self.done and len(self.consumer.assignment()) == self.expected

    def on_partitions_revoked(self, revoked):
        emit(event="revoked", partitions=sorted(tp.partition for tp in revoked))

    def on_partitions_assigned(self, assigned):
        self.ends = None
        emit(event="assigned", partitions=sorted(tp.partition for tp in assigned))
        if assigned and (self.done or len(assigned) != self.expected):
            self.consumer.pause(*assigned)


def group_member(args):
    """One member of a group that several processes join at once: consumes the records of its
    partitions only once its assignment has --expect-partitions partitions, up to the high
    watermarks, commits, reports "done", then stays in the group (polling, so it keeps heartbeating
    and sees any rebalance) until --linger-file exists, so it does not trigger a rebalance by
    leaving while another member is still consuming."""
    strategies = {None: (RangePartitionAssignor, RoundRobinPartitionAssignor),
                  "range": (RangePartitionAssignor,), "roundrobin": (RoundRobinPartitionAssignor,)}[args.assignor]
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        client_id=CLIENT_ID,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
        partition_assignment_strategy=strategies,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
        # Also the JoinGroup rebalance timeout: how long a rebalance waits for a member to rejoin.
        max_poll_interval_ms=int(args.timeout * 1000),
    )
    emit(event="connected", api_version=list(consumer.config["api_version"]),
         assignors=[a.name for a in strategies])
    member = _Member(consumer, args.expect_partitions)
    consumer.subscribe([args.topic], listener=member)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=200)
        settled = member.settled()
        assignment = consumer.assignment()
        for tp, records in batches.items():
            if not settled:
                # Fetched before the pause took effect: rewind, so they are read once settled.
                if tp in assignment:
                    consumer.seek(tp, records[0].offset)
                emit(event="discarded", partition=tp.partition, offset=records[0].offset, count=len(records))
                continue
            for r in records:
                emit(**record_fields(r.partition, r.offset, r.timestamp, r.key, r.value, r.headers))
        if settled:
            if member.ends is None:
                member.ends = consumer.end_offsets(list(assignment))
            positions = {tp: consumer.position(tp) for tp in assignment}
            if all(positions[tp] >= member.ends[tp] for tp in assignment):
                consumer.commit({tp: OffsetAndMetadata(position, None) for tp, position in positions.items()})
                member.done = True
                consumer.pause(*assignment)
                emit(event="done", partitions=sorted(tp.partition for tp in assignment),
                     committed={str(tp.partition): position for tp, position in positions.items()})
        if member.done and (args.linger_file is None or os.path.exists(args.linger_file)):
            break
    consumer.close()
    emit(event="left", done=member.done)
    return 0 if member.done else 1


def admin_client(args):
    return KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id=CLIENT_ID, request_timeout_ms=int(args.timeout * 1000))


def create_topic(args):
    admin = admin_client(args)
    response = admin.create_topics(
        [NewTopic(name=args.topic, num_partitions=args.partitions, replication_factor=1)],
        timeout_ms=int(args.timeout * 1000),
    )
    errors = [list(e) for e in response.topic_errors]
    admin.close()
    emit(event="created", response_version=response.API_VERSION, topic_errors=errors)
    return 0 if all(e[1] == 0 for e in errors) else 1


def list_topics(args):
    admin = admin_client(args)
    topics = admin.list_topics()
    admin.close()
    emit(event="topics", topics=sorted(topics))
    return 0


def main():
    args = parser(__doc__, ["produce", "consume", "group-member", "create-topic", "list-topics"]).parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    emit(event="client", name="kafka-python", version=kafka.__version__)
    command = {"produce": produce, "consume": consume, "group-member": group_member,
               "create-topic": create_topic, "list-topics": list_topics}[args.command]
    try:
        return command(args)
    except Exception as e:
        logging.exception("scenario failed")
        emit(event="error", error=repr(e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
