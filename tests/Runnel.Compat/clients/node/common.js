'use strict'
// Shared by the Runnel.Compat node scripts: the test records, argument parsing and JSON-lines output.
// Keys and values match tests/Runnel.Compat/Infrastructure/TestRecords.cs.

const PADDING = 'runnel compat payload '.repeat(12)

const key = i => Buffer.from(`key-${i}`, 'utf8')
const value = i => Buffer.from(`value-${i} caf\u00e9 ${PADDING}`, 'utf8')

/** One result line on stdout; diagnostics go to stderr. */
const emit = fields => process.stdout.write(JSON.stringify(fields) + '\n')

/** The fields of a "record" line (as Infrastructure/ObservedRecord.cs reads them) for a KafkaJS message. */
const text = data => data === null || data === undefined ? null : data.toString('utf8')
const recordFields = (partition, message) => ({
  event: 'record',
  partition,
  offset: Number(message.offset),
  timestamp: Number(message.timestamp),
  key: text(message.key),
  value: text(message.value),
  headers: Object.entries(message.headers || {}).map(([k, v]) => [k, text(v)]),
})

/** `command --name value --flag` into { command, name: value, flag: true }. */
function parseArgs (argv) {
  const args = { command: argv[0], partition: 0, partitions: 1, count: 10, compression: 'none', timeout: 30 }
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '')
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      args[name] = argv[++i]
    } else {
      args[name] = true
    }
  }
  for (const n of ['partition', 'partitions', 'count', 'timeout']) args[n] = Number(args[n])
  if (!args.bootstrap || !args.topic) throw new Error('--bootstrap and --topic are required')
  return args
}

module.exports = { key, value, emit, parseArgs, recordFields }
