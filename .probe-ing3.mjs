import mongoose from 'mongoose';
const conn = await mongoose.createConnection('mongodb://127.0.0.1:27017/probe_ing_w').asPromise();
const N = Number(process.env.N);
for (const kind of ['num', 'str']) {
  const c = conn.db.collection('t_' + kind);
  const id = (i) => kind === 'num' ? i : String(i);
  const doc = (i, v = 0) => ({ _id: id(i), name: 'name' + i, artist: 'artist', genres: ['Rock'], created_at: new Date(), content_hash: 'h' + i + '-' + v });
  let t = Date.now();
  for (let p = 0; p < N / 100; p++) { const d = []; for (let i = p * 100; i < (p + 1) * 100; i++) d.push(doc(i)); await c.insertMany(d, { ordered: false }); }
  console.log(kind, 'insertMany rec/s', (N / ((Date.now() - t) / 1000)).toFixed(0));
  t = Date.now();
  for (let i = 0; i < 100; i++) await c.findOne({ _id: id(i * 7) });
  console.log(kind, 'findOne/s', (100 / ((Date.now() - t) / 1000)).toFixed(0));
  t = Date.now();
  const ops = []; for (let i = 0; i < 100; i++) ops.push({ updateOne: { filter: { _id: id(i * 3) }, update: { $set: doc(i * 3, 1) }, upsert: true } });
  await c.bulkWrite(ops, { ordered: false });
  console.log(kind, 'bulk upsert existing rec/s', (100 / ((Date.now() - t) / 1000)).toFixed(0));
  t = Date.now();
  const ops2 = []; for (let i = N; i < N + 100; i++) ops2.push({ updateOne: { filter: { _id: id(i) }, update: { $set: doc(i, 1) }, upsert: true } });
  await c.bulkWrite(ops2, { ordered: false });
  console.log(kind, 'bulk upsert new rec/s', (100 / ((Date.now() - t) / 1000)).toFixed(0));
  t = Date.now();
  const ops3 = []; for (let i = 0; i < 100; i++) ops3.push({ replaceOne: { filter: { _id: id(i * 5) }, replacement: doc(i * 5, 2), upsert: true } });
  await c.bulkWrite(ops3, { ordered: false });
  console.log(kind, 'bulk replace existing rec/s', (100 / ((Date.now() - t) / 1000)).toFixed(0));
  t = Date.now();
  const ids = []; for (let i = 0; i < 100; i++) ids.push(id(i * 11));
  await c.find({ _id: { $in: ids } }).toArray();
  console.log(kind, '$in of 100 ms', Date.now() - t);
  t = Date.now();
  await Promise.all(ids.map((x) => c.findOne({ _id: x })));
  console.log(kind, '100 parallel findOne ms', Date.now() - t);
  t = Date.now();
  const dels = []; for (let i = 0; i < 100; i++) dels.push({ deleteOne: { filter: { _id: id(i * 13) } } });
  await c.bulkWrite(dels, { ordered: false });
  console.log(kind, 'bulk delete 100 ms', Date.now() - t);
}
await conn.db.dropDatabase();
await conn.close();
