'use strict'
// KafkaJS 2.2.4 scenarios for Runnel.Compat.
// Usage: node kafkajs_client.js produce|transactions|group-consume|group-member|create-topic|list-topics|topic-metadata|topic-offsets --bootstrap HOST:PORT --topic T [...]
// Prints JSON lines on stdout (KafkaJS's own logs go to stderr); exits non-zero when the scenario
// did not complete. KafkaJS consumes only through a consumer group, so group-consume also
// exercises the broker's group coordinator (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// OffsetFetch, OffsetCommit, LeaveGroup).

const fs = require('fs')
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const { version } = require('kafkajs/package.json')
const { key, value, emit, parseArgs, recordFields } = require('./common')

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

// --idempotent: KafkaJS's idempotent producer (InitProducerId, sequence numbers; it needs one request in flight).
async function produce () {
  const producer = args.idempotent
    ? kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 })
    : kafka.producer({ allowAutoTopicCreation: false })
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

// A transactional producer: three transactions of --count records to --partition (commit, abort,
// commit), then one transaction that also sends offset --count of that partition for --group
// (sendOffsets: AddOffsetsToTxn + TxnOffsetCommit) and commits; then a second instance fences this
// one mid-transaction. KafkaJS sends each batch at once, so the aborted records reach the log.
async function transactions () {
  const producer = kafka.producer({ transactionalId: `compat-${args.topic}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (const [number, outcome] of ['commit', 'abort', 'commit'].entries()) {
      const transaction = await producer.transaction()
      const messages = []
      for (let i = 0; i < args.count; i++) messages.push({ key: key(i), value: `txn${number}-${i}`, partition: args.partition })
      await transaction.send({ topic: args.topic, acks: -1, messages })
      if (outcome === 'commit') await transaction.commit()
      else await transaction.abort()
      emit({ event: outcome, transaction: number })
    }
    const transaction = await producer.transaction()
    await transaction.send({ topic: args.topic, acks: -1, messages: [{ value: 'offsets-sent', partition: args.partition }] })
    const offsets = [{ topic: args.topic, partitions: [{ partition: args.partition, offset: String(args.count) }] }]
    await transaction.sendOffsets({ consumerGroupId: args.group, topics: offsets })
    await transaction.commit()
    emit({ event: 'offsets_committed', offset: args.count })

    // A second instance with the same transactional id while this one has a transaction open: its
    // InitProducerId aborts that transaction (CONCURRENT_TRANSACTIONS, which KafkaJS retries) and
    // fences this instance, whose commit must then fail.
    const zombie = await producer.transaction()
    await zombie.send({ topic: args.topic, acks: -1, messages: [{ value: 'from-the-zombie', partition: args.partition }] })
    const successor = kafka.producer({ transactionalId: `compat-${args.topic}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    await successor.connect()
    try {
      const next = await successor.transaction()
      await next.send({ topic: args.topic, acks: -1, messages: [{ value: 'from-the-successor', partition: args.partition }] })
      await next.commit()
      emit({ event: 'successor_committed' })
    } finally {
      await successor.disconnect()
    }
    let fenced = null
    try {
      await zombie.commit()
    } catch (e) {
      fenced = e
    }
    if (fenced === null) throw new Error('the fenced instance committed its transaction')
    emit({ event: 'zombie_fenced', name: fenced.name, type: fenced.type })
    emit({ event: 'done' })
  } finally {
    await producer.disconnect()
  }
}

// Joins group --group, consumes --count records of --topic (from the beginning when the group has
// no committed offset), commits the position after the last one and leaves the group. KafkaJS
// consumers are read_committed unless --read-uncommitted; --max-bytes N caps each fetch (and each
// partition in it) at N bytes. Each fetched batch KafkaJS processes is reported as a "batch" line
// with the offsets it spans (aborted and control records included), so tests see the fetch boundaries.
async function groupConsume () {
  const maxBytes = args['max-bytes'] === undefined ? {} : { maxBytes: Number(args['max-bytes']), maxBytesPerPartition: Number(args['max-bytes']) }
  const consumer = kafka.consumer({
    groupId: args.group,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
    readUncommitted: args['read-uncommitted'] === true,
    ...maxBytes,
  })
  consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => emit({
    event: 'batch',
    partition: payload.partition,
    firstOffset: Number(payload.firstOffset),
    lastOffset: Number(payload.lastOffset),
  }))
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
        emit(recordFields(partition, message))
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

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// One member of a group that several processes join at once. It consumes only while its assignment
// has --expect-partitions partitions (the GROUP_JOIN listener pauses the topic otherwise, before the
// runner's first fetch of that generation), reads each assigned partition up to the high watermark
// it had when the script started, commits, reports "done", then stays in the group (the runner keeps
// heartbeating) until --linger-file exists, so its LeaveGroup cannot rebalance a member that is
// still consuming. Every assigned partition must have records past the group's commit.
async function groupMember () {
  const expected = Number(args['expect-partitions'] || 1)
  const lingerFile = typeof args['linger-file'] === 'string' ? args['linger-file'] : null
  let ends
  await withAdmin(async admin => {
    ends = new Map((await admin.fetchTopicOffsets(args.topic)).map(p => [p.partition, BigInt(p.high)]))
  })
  const consumer = kafka.consumer({ groupId: args.group, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 200, rebalanceTimeout: args.timeout * 1000 })
  let assignment = []
  let finished = false
  const next = new Map() // partition -> offset after the last record read
  const settled = () => !finished && assignment.length === expected
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assignment = [...(payload.memberAssignment[args.topic] || [])].sort((a, b) => a - b)
    emit({ event: 'assigned', partitions: assignment, memberId: payload.memberId, isLeader: payload.isLeader, groupProtocol: payload.groupProtocol })
    if (settled()) consumer.resume([{ topic: args.topic }])
    else consumer.pause([{ topic: args.topic }])
  })
  let crashed = false // and KafkaJS will not restart the consumer: give up at once
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = crashed || !payload.restart
    emit({ event: 'crash', error: String(payload.error), restart: payload.restart })
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!settled() || !assignment.includes(partition)) {
          // Fetched before the pause took effect: rewind, so it is read once settled.
          consumer.seek({ topic: args.topic, partition, offset: message.offset })
          emit({ event: 'discarded', partition, offset: Number(message.offset), count: 1 })
          return
        }
        emit(recordFields(partition, message))
        next.set(partition, BigInt(message.offset) + 1n)
      },
    })
    const deadline = Date.now() + args.timeout * 1000
    while (Date.now() < deadline && !crashed) {
      if (settled() && assignment.every(p => next.has(p) && next.get(p) >= ends.get(p))) {
        const offsets = assignment.map(partition => ({ topic: args.topic, partition, offset: String(next.get(partition)) }))
        await consumer.commitOffsets(offsets)
        finished = true
        consumer.pause([{ topic: args.topic }])
        emit({ event: 'done', partitions: assignment, committed: Object.fromEntries(offsets.map(o => [String(o.partition), Number(o.offset)])) })
      }
      if (finished && (lingerFile === null || fs.existsSync(lingerFile))) break
      await sleep(100)
    }
  } finally {
    await consumer.disconnect()
  }
  emit({ event: 'left', done: finished })
  if (!finished) throw new Error(`did not finish${crashed ? ': the consumer crashed' : ` within ${args.timeout} s`} (assignment ${JSON.stringify(assignment)})`)
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
  transactions,
  'group-consume': groupConsume,
  'group-member': groupMember,
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
