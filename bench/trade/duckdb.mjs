// The DuckDB peer of the importers query (issue 6): loads the benchmark's
// Comtrade CSV into an in-memory DuckDB table, then runs the query SRIIM's
// ranking makes — each reporter's total by year for one code, flow and span
// (its World row when present, else the sum of its partner rows) — over the
// raw rows, and prints the median latency in milliseconds.
//
//   node duckdb.mjs comtrade.csv [seconds]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, seconds = '10'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`CREATE TABLE flows AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = true,
  types = {'Commodity Code': 'VARCHAR', 'Classification': 'VARCHAR'})`);
const query = `SELECT "Reporter Code" AS reporter, "Year" AS year,
    COALESCE(MAX(CASE WHEN "Partner Code" = 0 THEN "Trade Value (US$)" END),
             SUM(CASE WHEN "Partner Code" <> 0 THEN "Trade Value (US$)" ELSE 0 END)) AS value
  FROM flows WHERE "Trade Flow Code" = 1 AND "Year" BETWEEN 2000 AND 2004 AND "Commodity Code" = '030799'
  GROUP BY "Reporter Code", "Year", "Classification", "Commodity Code"`;
const times = [];
const end = performance.now() + Number(seconds) * 1000;
while (performance.now() < end) {
  const start = performance.now();
  await con.runAndReadAll(query);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(times[Math.floor(times.length / 2)].toFixed(2));
