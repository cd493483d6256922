// Copies the browser builds herbot's chat page uses from node_modules into herbot/rasa/web/vendor/,
// where they are committed: running the bot needs no Node.js, and `npm ci && npm run build`
// reproduces them byte for byte from package-lock.json (tests/test_widget.py checks that).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "herbot", "rasa", "web", "vendor");
export const FILES = {
  "socket.io-client/dist/socket.io.min.js": "socket.io.min.js",
  "socket.io-client/LICENSE": "socket.io.LICENSE",
};

mkdirSync(vendor, { recursive: true });
for (const [from, to] of Object.entries(FILES)) {
  copyFileSync(join(here, "node_modules", from), join(vendor, to));
  console.log(`copied ${from} -> herbot/rasa/web/vendor/${to}`);
}
