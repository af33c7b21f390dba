// Records Sequelize stress cases 097 and 098 from 096_large_random (its schema, DDL and data),
// the way ../shared/conformance's cases were recorded: real Sequelize 6.37.8 on the pg driver
// against PostgreSQL, the SQL findAll ran, its nested result (toJSON) and its time (median of
// findAll + toJSON over 50 runs after 15 warm-up runs, wall clock, in process).
//
//   npm install && PGURL=postgres://postgres@127.0.0.1:55432/postgres node record.js
//
// It creates (and drops again) the database seqrecord, and writes
// ../../testdata/sequelize/097_large_random_deep.json and 098_large_random_limit.json.
//
// With --serve it writes nothing: it loads the same database and models, prints "ready",
// then for each line "<case> <n>" on its standard input (case 096, 097 or 098) runs that
// case's findAll + toJSON n times and prints the times in ms as one JSON array per line,
// until standard input ends. bench/cmd/seqcases -sequelize drives it, to time Sequelize
// and joinery in the same window, interleaved.
'use strict';
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');
const { Sequelize, DataTypes } = require('sequelize');

const dir = path.join(__dirname, '..', '..', 'testdata', 'sequelize');
const base = JSON.parse(fs.readFileSync(path.join(dir, '096_large_random.json'), 'utf8'));
const admin = process.env.PGURL || 'postgres://postgres@127.0.0.1:55432/postgres';
const dbURL = admin.replace(/\/[^/?]*(\?.*)?$/, '/seqrecord$1');

const types = {
  integer: DataTypes.INTEGER, text: DataTypes.TEXT, string: DataTypes.STRING, uuid: DataTypes.UUID,
  boolean: DataTypes.BOOLEAN, date: DataTypes.DATE, dateonly: DataTypes.DATEONLY, double: DataTypes.DOUBLE,
};

const cases = [
  {
    file: '097_large_random_deep.json',
    name: 'large_random_deep',
    about: 'Stress: 096\'s data (200 users, 1000 posts, 1500 comments, 40 projects, 300 join rows); User -> posts -> comments -> author + projects, fully ordered (nested deeper than 096).',
    query: {
      model: 'User', where: null,
      order: [['id', 'ASC'], [['posts'], 'id', 'ASC'], [['posts', 'comments'], 'id', 'ASC'], [['projects'], 'id', 'ASC']],
      limit: null, offset: null, attributes: null,
      include: [
        inc('Post', 'posts', [inc('Comment', 'comments', [inc('User', 'author', [])])]),
        inc('Project', 'projects', []),
      ],
    },
  },
  {
    file: '098_large_random_limit.json',
    name: 'large_random_limit',
    about: 'Stress: 096\'s data; User -> posts + projects, fully ordered, with a root limit of 50 (Sequelize pages the roots in a subquery).',
    query: {
      model: 'User', where: null,
      order: [['id', 'ASC'], [['posts'], 'id', 'ASC'], [['projects'], 'id', 'ASC']],
      limit: 50, offset: null, attributes: null,
      include: [inc('Post', 'posts', []), inc('Project', 'projects', [])],
    },
  },
];

function inc(model, as, include) {
  return { model, as, required: false, where: null, attributes: null, through: null, order: null, separate: false, include };
}

async function main() {
  const a = new Client({ connectionString: admin });
  await a.connect();
  await a.query('DROP DATABASE IF EXISTS seqrecord');
  await a.query('CREATE DATABASE seqrecord');
  const c = new Client({ connectionString: dbURL });
  await c.connect();
  await c.query(base.ddl);
  for (const t of base.data) {
    for (const row of t.rows) {
      const cols = Object.keys(row);
      await c.query(`INSERT INTO "${t.table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((k) => row[k]));
    }
  }
  const pgv = (await c.query('SHOW server_version')).rows[0].server_version;

  let sqls = [];
  const seq = new Sequelize(dbURL, { logging: (s) => sqls.push(s.replace(/^Executing \(default\): /, '')) });
  const models = {};
  for (const [name, m] of Object.entries(base.models)) {
    const attrs = {};
    for (const [col, o] of Object.entries(m.columns)) {
      const a = { type: types[o.type] };
      if (o.pk) a.primaryKey = true;
      if (o.autoIncrement) a.autoIncrement = true;
      if (o.allowNull !== undefined) a.allowNull = o.allowNull;
      if (o.unique !== undefined) a.unique = o.unique;
      if (o.field) a.field = o.field;
      attrs[col] = a;
    }
    models[name] = seq.define(name, attrs, { tableName: m.table, timestamps: m.timestamps, underscored: m.underscored });
  }
  for (const as of base.associations) {
    const o = { as: as.as, foreignKey: as.foreignKey };
    if (as.otherKey) o.otherKey = as.otherKey;
    if (as.through) o.through = models[as.through.model] || as.through.table;
    models[as.source][as.kind](models[as.target], o);
  }

  const toOptions = (q) => {
    const incl = (n) => ({ model: models[n.model], as: n.as, required: n.required, include: n.include.map(incl) });
    const order = q.order.map((t) => {
      if (!Array.isArray(t[0])) return t;
      let m = models[q.model];
      const p = [];
      for (const as of t[0]) {
        const assoc = m.associations[as];
        p.push({ model: assoc.target, as });
        m = assoc.target;
      }
      return [...p, t[1], t[2]];
    });
    const o = { include: q.include.map(incl), order };
    if (q.limit != null) o.limit = q.limit;
    return o;
  };
  const js = (q) => {
    const incl = (n) => `{ model: ${n.model}, as: ${JSON.stringify(n.as)}, required: ${n.required}${n.include.length ? `, include: [${n.include.map(incl).join(', ')}]` : ''} }`;
    const order = q.order.map((t) => Array.isArray(t[0])
      ? `[${t[0].map((as, i) => `{ model: ${modelAt(q, t[0].slice(0, i + 1))}, as: ${JSON.stringify(as)} }`).join(', ')}, ${JSON.stringify(t[1])}, ${JSON.stringify(t[2])}]`
      : JSON.stringify(t));
    return `{ include: [${q.include.map(incl).join(', ')}], order: [${order.join(', ')}]${q.limit != null ? `, limit: ${q.limit}` : ''} }`;
  };
  const modelAt = (q, p) => {
    let m = models[q.model];
    for (const as of p) m = m.associations[as].target;
    return m.name;
  };
  const paths = (nodes, prefix) => nodes.flatMap((n) => {
    const p = prefix ? `${prefix}.${n.as}` : n.as;
    return [{ path: p, required: n.required }, ...paths(n.include, p)];
  });

  if (process.argv.includes('--serve')) {
    const byID = { '096': base.query };
    for (const k of cases) byID[k.file.slice(0, 3)] = k.query;
    seq.options.logging = false;
    const rl = require('readline').createInterface({ input: process.stdin });
    console.log('ready');
    for await (const line of rl) {
      const [id, n] = line.trim().split(/\s+/);
      const q = byID[id];
      if (!q) {
        console.log(JSON.stringify({ error: `no case ${id}: one of ${Object.keys(byID).join(', ')}` }));
        continue;
      }
      const opts = toOptions(q);
      const M = models[q.model];
      const times = [];
      for (let i = 0; i < Number(n); i++) {
        const t = process.hrtime.bigint();
        (await M.findAll(opts)).map((r) => r.toJSON());
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      console.log(JSON.stringify(times));
    }
    await seq.close();
    await c.end();
    await a.query('DROP DATABASE seqrecord');
    await a.end();
    return;
  }

  for (const k of cases) {
    const opts = toOptions(k.query);
    const M = models[k.query.model];
    sqls = [];
    const result = (await M.findAll(opts)).map((r) => r.toJSON());
    const sql = sqls.slice();
    seq.options.logging = false;
    const times = [];
    for (let i = 0; i < 65; i++) {
      const t = process.hrtime.bigint();
      (await M.findAll(opts)).map((r) => r.toJSON());
      if (i >= 15) times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const plain = [];
    for (let i = 0; i < 65; i++) {
      const t = process.hrtime.bigint();
      for (const s of sql) await c.query(s.replace(/;$/, ''));
      if (i >= 15) plain.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    seq.options.logging = (s) => sqls.push(s.replace(/^Executing \(default\): /, ''));
    times.sort((x, y) => x - y);
    plain.sort((x, y) => x - y);
    const med = (s) => Math.round(s[Math.floor(s.length / 2)] * 1000) / 1000;
    const out = {
      name: k.name,
      about: k.about,
      models: base.models,
      associations: base.associations,
      ddl: base.ddl,
      data: base.data,
      query: { ...k.query, orderedRoot: true, orderedChildren: true },
      sequelize: {
        version: require('sequelize/package.json').version,
        options_js: js(k.query),
        sql,
        resolved: { subQuery: k.query.limit != null, hasMultiAssociation: true, includes: paths(k.query.include, '').map((p) => ({ ...p, separate: false })) },
        result,
        error: null,
        timing_ms: med(times),
        timing_runs: times.length,
        timing_warmup: 15,
        timing_min_ms: Math.round(times[0] * 1000) / 1000,
        sql_only_ms: med(plain),
      },
      resolved: base.resolved,
      notes: 'Recorded by joinery\'s bench/seqrecord/record.js (not from ../shared/conformance, which holds 096 only) on the machine the benchmark runs on, from 096\'s schema and data.',
      environment: { sequelize: require('sequelize/package.json').version, pg_driver: require('pg/package.json').version, postgres: pgv },
    };
    fs.writeFileSync(path.join(dir, k.file), JSON.stringify(out, null, 2) + '\n');
    console.log(`${k.file}: ${result.length} roots, ${sql.length} statements, findAll + toJSON median ${out.sequelize.timing_ms} ms (min ${out.sequelize.timing_min_ms}), SQL alone ${out.sequelize.sql_only_ms} ms`);
  }
  await seq.close();
  await c.end();
  await a.query('DROP DATABASE seqrecord');
  await a.end();
}

main().catch((e) => { console.error(e); process.exit(1); });
