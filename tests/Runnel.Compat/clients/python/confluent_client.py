#!/usr/bin/python3
"""confluent-kafka-python (Debian python3-confluent-kafka 1.7.0, librdkafka 2.0.2) scenarios for Runnel.Compat.

Usage: confluent_client.py produce|consume|create-topic|list-topics --bootstrap HOST:PORT --topic T [...]
Prints JSON lines on stdout; exits non-zero when the scenario did not complete.
The consumer uses assign() with an explicit OFFSET_BEGINNING and no offset commits, so it needs no
group coordinator.
"""
import sys
import time
import uuid

import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common import emit, key, parser, text, value

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
    args = parser(__doc__, ["produce", "consume", "create-topic", "list-topics"]).parse_args()
    emit(event="client", name="confluent-kafka-python", version=confluent_kafka.version()[0],
         librdkafka=confluent_kafka.libversion()[0])
    command = {"produce": produce, "consume": consume, "create-topic": create_topic, "list-topics": list_topics}[args.command]
    try:
        return command(args)
    except Exception as e:
        emit(event="error", error=repr(e))
        raise


if __name__ == "__main__":
    sys.exit(main())
