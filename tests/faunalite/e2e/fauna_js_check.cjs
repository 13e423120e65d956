// Drives faunalite with the official fauna-js driver (HTTP/2 under Node): queries, an error,
// a stream and a feed. Prints one JSON object of what it saw; the pytest side asserts on it.
// Usage: node fauna_js_check.cjs <endpoint> <secret>   (NODE_PATH must reach `fauna`)
"use strict";
const { Client, fql, AbortError, QueryCheckError } = require("fauna");

async function main() {
  const [endpoint, secret] = process.argv.slice(2);
  // Default retries: with max_attempts 1 the driver reports its own close() as a failure.
  const client = new Client({ endpoint: new URL(endpoint), secret });
  const seen = {};
  try {
    seen.sum = (await client.query(fql`${40} + ${2}`)).data;
    await client.query(fql`Collection.create({ name: "JsThing" })`);
    const created = await client.query(fql`JsThing.create({ name: "a", n: 1 })`);
    seen.created = { name: created.data.name, n: created.data.n, hasId: Boolean(created.data.id) };
    seen.txnTs = typeof created.txn_ts;
    try {
      await client.query(fql`abort("stop")`);
    } catch (error) {
      seen.abort = { isAbort: error instanceof AbortError, code: error.code, abort: error.abort };
    }
    try {
      await client.query(fql`1 +`);
    } catch (error) {
      seen.check = { isCheck: error instanceof QueryCheckError, code: error.code };
    }

    const source = (await client.query(fql`JsThing.where(.n > 1).eventSource()`)).data;
    await client.query(fql`JsThing.create({ name: "b", n: 2 })`);
    const stream = client.stream(source);
    seen.stream = [];
    for await (const event of stream) {
      seen.stream.push({ type: event.type, name: event.data.name });
      if (seen.stream.length === 1) {
        // Live, after the replayed one.
        await client.query(fql`JsThing.create({ name: "c", n: 3 })`);
      } else {
        stream.close();
      }
    }

    seen.feed = [];
    for await (const page of client.feed(source)) {
      for (const event of page.events) seen.feed.push({ type: event.type, name: event.data.name });
    }
  } finally {
    client.close();
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

main().catch((error) => {
  process.stderr.write(`fauna-js check failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
