'use strict'
// KafkaJS 2.2.4 scenarios for Runnel.Compat.
// Usage: node kafkajs_client.js produce|group-consume|create-topic|list-topics|topic-metadata|topic-offsets --bootstrap HOST:PORT --topic T [...]
// Prints JSON lines on stdout (KafkaJS's own logs go to stderr); exits non-zero when the scenario
// did not complete. KafkaJS consumes only through a consumer group, so group-consume also
// exercises the broker's group coordinator (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// OffsetFetch, OffsetCommit, LeaveGroup).

const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const { version } = require('kafkajs/package.json')
const { key, value, emit, parseArgs } = require('./common')

const args = parseArgs(process.argv.slice(2))

const stderrLogger = () => ({ namespace, level, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(`${label} [${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

const kafka = new Kafka({
  clientId: 'runnel-compat-kafkajs',
  brokers: [args.bootstrap],
  connectionTimeout: 10000,
  requestTimeout: args.timeout * 1000,
  retry: { retries: 3 },
  logLevel: args.debug ? logLevel.DEBUG : logLevel.WARN,
  logCreator: stderrLogger,
})

async function produce () {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[args.compression]
    if (compression === undefined) throw new Error(`unsupported compression ${args.compression} (KafkaJS has only GZIP built in)`)
    const messages = []
    for (let i = 0; i < args.count; i++) {
      messages.push({ key: key(i), value: value(i), partition: args.partition, headers: { index: String(i), client: 'kafkajs' } })
    }
    const metadata = await producer.send({ topic: args.topic, compression, acks: -1, messages })
    for (const m of metadata) emit({ event: 'sent', ...m })
    emit({ event: 'done', sent: args.count })
  } finally {
    await producer.disconnect()
  }
}

// Joins group --group, consumes --count records of --topic (from the beginning when the group has
// no committed offset), commits the position after the last one and leaves the group.
async function groupConsume () {
  const consumer = kafka.consumer({ groupId: args.group, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 })
  await consumer.connect()
  const received = []
  let finished
  const done = new Promise(resolve => { finished = resolve })
  const deadline = setTimeout(() => finished(), args.timeout * 1000)
  try {
    await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (received.length >= args.count) return
        received.push({ partition, offset: message.offset })
        const headers = Object.entries(message.headers || {}).map(([k, v]) => [k, v === null || v === undefined ? null : v.toString('utf8')])
        emit({
          event: 'record',
          partition,
          offset: Number(message.offset),
          timestamp: Number(message.timestamp),
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value === null ? null : message.value.toString('utf8'),
          headers,
        })
        if (received.length >= args.count) finished()
      },
    })
    await done
    clearTimeout(deadline)
    const last = new Map()
    for (const r of received) last.set(r.partition, BigInt(r.offset))
    const offsets = [...last].map(([partition, offset]) => ({ topic: args.topic, partition, offset: String(offset + 1n) }))
    if (offsets.length > 0) await consumer.commitOffsets(offsets)
    emit({ event: 'done', received: received.length, committed: offsets })
  } finally {
    await consumer.disconnect()
  }
  if (received.length < args.count) throw new Error(`received ${received.length} of ${args.count} records`)
}

async function withAdmin (action) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await action(admin)
  } finally {
    await admin.disconnect()
  }
}

const createTopic = () => withAdmin(async admin => {
  const created = await admin.createTopics({
    topics: [{ topic: args.topic, numPartitions: args.partitions, replicationFactor: 1 }],
    waitForLeaders: true,
    timeout: args.timeout * 1000,
  })
  emit({ event: 'created', topic: args.topic, created })
})

const listTopics = () => withAdmin(async admin => {
  emit({ event: 'topics', topics: (await admin.listTopics()).sort() })
})

const topicMetadata = () => withAdmin(async admin => {
  const cluster = await admin.describeCluster()
  emit({ event: 'cluster', ...cluster })
  const metadata = await admin.fetchTopicMetadata({ topics: [args.topic] })
  emit({ event: 'metadata', ...metadata })
})

const topicOffsets = () => withAdmin(async admin => {
  const offsets = await admin.fetchTopicOffsets(args.topic)
  emit({ event: 'offsets', partitions: offsets.sort((a, b) => a.partition - b.partition) })
})

const commands = {
  produce,
  'group-consume': groupConsume,
  'create-topic': createTopic,
  'list-topics': listTopics,
  'topic-metadata': topicMetadata,
  'topic-offsets': topicOffsets,
}

async function main () {
  emit({ event: 'client', name: 'kafkajs', version })
  const command = commands[args.command]
  if (!command) throw new Error(`unknown command ${args.command}`)
  await command()
}

main().then(
  () => process.exit(0),
  e => {
    emit({ event: 'error', name: e.name, message: e.message, type: e.type, code: e.code })
    process.stderr.write(`${e.stack}\n`)
    process.exit(1)
  })
