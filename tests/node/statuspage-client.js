// Reads a Sentinel status API with the npm `statuspage.io` client, pointed at a local URL.
// Usage: node statuspage-client.js http://127.0.0.1:PORT/status
// Prints one JSON object: what each of the client's public-API calls returned.
"use strict";
const { Statuspage } = require("statuspage.io");

async function main() {
  const base = process.argv[2];
  if (!base || !base.startsWith("http://127.0.0.1:")) {
    throw new Error("expected a http://127.0.0.1:PORT/... base URL");
  }
  const client = new Statuspage("sentinel");
  client.setApiUrl(base);
  const out = {
    summary: await client.api.getSummary(),
    status: await client.api.getStatus(),
    components: await client.api.getComponents(),
    incidents: await client.api.incidents.getAll(),
    unresolved: await client.api.incidents.getUnresolved(),
    maintenances: await client.api.scheduledMaintenances.getAll(),
    upcoming: await client.api.scheduledMaintenances.getUpcoming(),
  };
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
