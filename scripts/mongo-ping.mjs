// Exits 0 when the MongoDB-compatible server at the given URI answers a ping, 1 otherwise.
import mongoose from 'mongoose';

const uri = process.argv[2];
try {
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1000 }).asPromise();
  await conn.db.admin().ping();
  await conn.close();
  process.exit(0);
} catch {
  process.exit(1);
}
