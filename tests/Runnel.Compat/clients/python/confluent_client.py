#!/usr/bin/python3
"""confluent-kafka-python (Debian python3-confluent-kafka 1.7.0, librdkafka 2.0.2) scenarios for Runnel.Compat.

Usage: confluent_client.py produce|consume|group-member|transactions|transform|create-topic|list-topics --bootstrap HOST:PORT --topic T [...]
Prints JSON lines on stdout; exits non-zero when the scenario did not complete.
The consume scenario uses assign() with an explicit OFFSET_BEGINNING and no offset commits, so it
needs no group coordinator; group-member subscribes in a classic consumer group. transactions runs
three transactions of --count records (commit, abort, commit), then reads the committed ones with a
read_committed consumer of --group and commits one more transaction with send_offsets_to_transaction.
transform is an exactly-once consume-transform-produce loop (--topic to --output, one transaction per
polled batch with its offsets) that exits once it has consumed every input partition to its end.
"""
import os
import sys
import time
import uuid

import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common import emit, key, parser, record_fields, text, value

CLIENT_ID = "runnel-compat-confluent-python"


def base_config(args):
    config = {"bootstrap.servers": args.bootstrap, "client.id": CLIENT_ID, "socket.timeout.ms": 10000}
    if args.debug:
        config["debug"] = "protocol,broker,msg"
    return config


def produce(args):
    config = base_config(args)
    config.update({"compression.type": args.compression, "linger.ms": 5, "acks": "all",
                   "message.timeout.ms": int(args.timeout * 1000)})
    if args.idempotent:
        config["enable.idempotence"] = True
    producer = Producer(config)
    reports = {}

    def on_delivery(index):
        def report(err, msg):
            reports[index] = (err, msg)
        return report

    for i in range(args.count):
        headers = [("index", str(i).encode()), ("client", b"confluent-kafka-python")]
        producer.produce(args.topic, key=key(i), value=value(i), partition=args.partition, headers=headers, on_delivery=on_delivery(i))
    remaining = producer.flush(args.timeout)
    failed = 0
    for i in range(args.count):
        err, msg = reports.get(i, ("no delivery report", None))
        if err is None:
            emit(event="sent", index=i, partition=msg.partition(), offset=msg.offset())
        else:
            failed += 1
            emit(event="send_failed", index=i, error=str(err))
    emit(event="done", sent=args.count - failed, failed=failed, undelivered=remaining)
    return 0 if failed == 0 else 1


def consume(args):
    config = base_config(args)
    config.update({
        # group.id is required by this client even for assign(); nothing is committed.
        "group.id": "runnel-compat-" + uuid.uuid4().hex,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "fetch.wait.max.ms": 100,
    })
    consumer = Consumer(config)
    consumer.assign([TopicPartition(args.topic, args.partition, OFFSET_BEGINNING)])
    received = 0
    deadline = time.monotonic() + args.timeout
    while received < args.count and time.monotonic() < deadline:
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            emit(event="consumer_error", error=str(msg.error()), code=msg.error().code())
            continue
        emit(
            event="record",
            partition=msg.partition(),
            offset=msg.offset(),
            timestamp=msg.timestamp()[1],
            key=text(msg.key()),
            value=text(msg.value()),
            headers=[[k, text(v)] for k, v in (msg.headers() or [])],
        )
        received += 1
    consumer.close()
    emit(event="done", received=received)
    return 0 if received >= args.count else 1


def group_member(args):
    """One member of a group that several processes join at once (see kafka_python_client.py's
    group_member, which it mirrors): consumes only while its assignment has --expect-partitions
    partitions, up to the high watermarks, commits, reports "done", then keeps polling until
    --linger-file exists."""
    config = base_config(args)
    config.update({
        "group.id": args.group,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "fetch.wait.max.ms": 100,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 1000,
        # Also the JoinGroup rebalance timeout: how long a rebalance waits for a member to rejoin.
        "max.poll.interval.ms": int(args.timeout * 1000),
    })
    if args.assignor:
        config["partition.assignment.strategy"] = args.assignor
    consumer = Consumer(config)
    state = {"done": False, "assignment": [], "ends": None, "next": {}}

    def settled():
        return not state["done"] and len(state["assignment"]) == args.expect_partitions

    def on_assign(c, partitions):
        state["assignment"] = [TopicPartition(p.topic, p.partition) for p in partitions]
        state["ends"] = None
        emit(event="assigned", partitions=sorted(p.partition for p in partitions))
        # Assign here rather than after the callback, so the pause applies before any fetch.
        c.assign(partitions)
        if not partitions:
            return
        if settled():
            # librdkafka 2.0.2 keeps a partition's pause across revoke and assign.
            c.resume(partitions)
        else:
            c.pause(partitions)

    def on_revoke(c, partitions):
        state["assignment"] = []
        emit(event="revoked", partitions=sorted(p.partition for p in partitions))
        c.unassign()

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        msg = consumer.poll(0.2)
        if msg is not None and msg.error():
            emit(event="consumer_error", error=str(msg.error()), code=msg.error().code())
        elif msg is not None and not settled():
            # Fetched before the pause took effect: rewind, so it is read once settled.
            try:
                consumer.seek(TopicPartition(msg.topic(), msg.partition(), msg.offset()))
            except KafkaException:
                pass  # no longer assigned: its next owner starts from the group's commit
            emit(event="discarded", partition=msg.partition(), offset=msg.offset(), count=1)
        elif msg is not None:
            emit(**record_fields(msg.partition(), msg.offset(), msg.timestamp()[1], msg.key(), msg.value(), msg.headers() or []))
            state["next"][msg.partition()] = msg.offset() + 1
        if settled():
            assignment = state["assignment"]
            if state["ends"] is None:
                state["ends"] = {p.partition: consumer.get_watermark_offsets(p, timeout=10, cached=False)[1] for p in assignment}
                # Where each partition starts: the group's commit (negative when there is none).
                state["start"] = {p.partition: p.offset for p in consumer.committed(assignment, timeout=10)}
            positions = {p.partition: state["next"].get(p.partition, state["start"][p.partition]) for p in assignment}
            if all(positions[p] >= state["ends"][p] for p in positions):
                consumer.commit(offsets=[TopicPartition(args.topic, p, o) for p, o in positions.items()], asynchronous=False)
                state["done"] = True
                consumer.pause(assignment)
                emit(event="done", partitions=sorted(positions), committed={str(p): o for p, o in positions.items()})
        if state["done"] and (args.linger_file is None or os.path.exists(args.linger_file)):
            break
    consumer.close()
    emit(event="left", done=state["done"])
    return 0 if state["done"] else 1


def transactions(args):
    config = base_config(args)
    config.update({"transactional.id": "compat-" + args.topic, "linger.ms": 5,
                   "message.timeout.ms": int(args.timeout * 1000)})
    producer = Producer(config)
    producer.init_transactions(args.timeout)
    for number, outcome in enumerate(["commit", "abort", "commit"]):
        producer.begin_transaction()
        for i in range(args.count):
            producer.produce(args.topic, key=key(i), value=("txn%d-%d" % (number, i)).encode(), partition=args.partition)
        if outcome == "commit":
            producer.commit_transaction(args.timeout)
        else:
            # Delivered first, so the aborted records reach the log (an abort purges what is still queued).
            producer.flush(args.timeout)
            producer.abort_transaction(args.timeout)
        emit(event=outcome, transaction=number)

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "client.id": CLIENT_ID, "group.id": args.group,
                         "enable.auto.commit": False, "isolation.level": "read_committed"})
    consumer.assign([TopicPartition(args.topic, args.partition, OFFSET_BEGINNING)])
    read = []
    deadline = time.time() + args.timeout
    while len(read) < 2 * args.count and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and not msg.error():
            read.append(msg)
            emit(event="read", offset=msg.offset(), value=text(msg.value()))
    if len(read) < 2 * args.count:
        emit(event="error", error="read %d of %d committed records" % (len(read), 2 * args.count))
        return 1

    producer.begin_transaction()
    producer.produce(args.topic, value=b"offsets-sent", partition=args.partition)
    position = read[-1].offset() + 1
    producer.send_offsets_to_transaction([TopicPartition(args.topic, args.partition, position)],
                                         consumer.consumer_group_metadata(), args.timeout)
    producer.commit_transaction(args.timeout)
    consumer.close()
    emit(event="offsets_committed", offset=position)
    emit(event="done")
    return 0


def transform(args):
    producer_config = base_config(args)
    producer_config.update({"transactional.id": args.transactional_id, "linger.ms": 5, "transaction.timeout.ms": 10000,
                            "message.timeout.ms": 10000})
    producer = Producer(producer_config)
    producer.init_transactions(args.timeout)
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "client.id": CLIENT_ID, "group.id": args.group,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                         **({"debug": "consumer,fetch,protocol"} if args.debug else {})})
    partitions = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    # No offset given: each partition starts at the group's committed offset (stable, KIP-447).
    consumer.assign(partitions)
    # Where each partition starts: position() knows only what this instance consumed.
    started = [max(c.offset, 0) for c in consumer.committed(partitions, timeout=args.timeout)]
    emit(event="ready")
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        batch = [m for m in consumer.consume(num_messages=10, timeout=1.0) if m.error() is None]
        if not batch:
            positions = [max(p.offset, s) for p, s in zip(consumer.position(partitions), started)]
            ends = [consumer.get_watermark_offsets(tp, timeout=10, cached=False)[1] for tp in partitions]
            if all(p >= end for p, end in zip(positions, ends)):
                emit(event="done")
                consumer.close()
                return 0
            continue
        producer.begin_transaction()
        for m in batch:
            producer.produce(args.output, value=b"out-" + m.value(), partition=m.partition())
        producer.send_offsets_to_transaction(consumer.position(partitions), consumer.consumer_group_metadata(), args.timeout)
        producer.commit_transaction(args.timeout)
        emit(event="committed", count=len(batch))
    emit(event="error", error="input not consumed to its end before the deadline")
    return 1


def create_topic(args):
    admin = AdminClient(base_config(args))
    futures = admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
                                  operation_timeout=args.timeout, request_timeout=args.timeout)
    failed = 0
    for topic, future in futures.items():
        try:
            future.result(timeout=args.timeout)
            emit(event="created", topic=topic)
        except KafkaException as e:
            failed += 1
            emit(event="create_failed", topic=topic, error=str(e), code=e.args[0].code())
    return 0 if failed == 0 else 1


def list_topics(args):
    admin = AdminClient(base_config(args))
    metadata = admin.list_topics(timeout=args.timeout)
    emit(
        event="metadata",
        cluster_id=metadata.cluster_id,
        controller_id=metadata.controller_id,
        orig_broker_id=metadata.orig_broker_id,
        brokers=[{"id": b.id, "host": b.host, "port": b.port} for b in metadata.brokers.values()],
        topics=[
            {
                "name": t.topic,
                "error": None if t.error is None else str(t.error),
                "partitions": [
                    {"id": p.id, "leader": p.leader, "replicas": list(p.replicas), "isrs": list(p.isrs),
                     "error": None if p.error is None else str(p.error)}
                    for p in sorted(t.partitions.values(), key=lambda p: p.id)
                ],
            }
            for t in sorted(metadata.topics.values(), key=lambda t: t.topic)
        ],
    )
    return 0


def main():
    args = parser(__doc__, ["produce", "consume", "group-member", "transactions", "transform", "create-topic", "list-topics"]).parse_args()
    emit(event="client", name="confluent-kafka-python", version=confluent_kafka.version()[0],
         librdkafka=confluent_kafka.libversion()[0])
    command = {"produce": produce, "consume": consume, "group-member": group_member, "transactions": transactions, "transform": transform,
               "create-topic": create_topic, "list-topics": list_topics}[args.command]
    try:
        return command(args)
    except Exception as e:
        emit(event="error", error=repr(e))
        raise


if __name__ == "__main__":
    sys.exit(main())
