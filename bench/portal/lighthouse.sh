#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, its default mobile profile with
# simulated slow 4G) in Debian's Chromium on the home and catalogue pages,
# in Spanish and English: the four category scores, out of 100, the median
# of $RUNS runs (3 by default), and the lowest performance score of them.
#
#   bench/portal/lighthouse.sh
#
# Installs chromium and npm from Debian's packages when missing. Prints a
# Markdown table; bench/portal/README.md keeps the latest one.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=(chromium:chromium npm:npm curl:curl)
. bench/portal/setup.sh
npm install --silent --no-save --prefix "$work/lighthouse" lighthouse@12.2.3 >/dev/null
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium)}

# Scores vary from run to run on a shared machine; Lighthouse's own advice
# is to take the median of several runs, which is what is reported.
runs=${RUNS:-3}
echo "| page | performance | accessibility | best practices | SEO | performance, lowest run |"
echo "|---|---|---|---|---|---|"
for page in /:home /oferta:catalogue "/?lang=en:home (en)" "/oferta?lang=en:catalogue (en)"; do
	path=${page%%:*} name=${page#*:}
	for run in $(seq "$runs"); do
		"$work/lighthouse/node_modules/.bin/lighthouse" "$base$path" --quiet --output=json --output-path="$work/report-$run.json" \
			--only-categories=performance,accessibility,best-practices,seo \
			--chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1
	done
	node -e '
		const [name, ...files] = process.argv.slice(1);
		const reports = files.map(f => require(f));
		const scores = k => reports.map(r => Math.round(r.categories[k].score * 100)).sort((a, b) => a - b);
		const median = k => scores(k)[(reports.length - 1) >> 1];
		console.log(`| ${name} | ${median("performance")} | ${median("accessibility")} | ${median("best-practices")} | ${median("seo")} | ${scores("performance")[0]} |`);
		for (const [id, a] of Object.entries(reports[0].audits)) {
			if (a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary") console.error(`  ${name}: ${id}: ${a.title}`);
		}' "$name ($path)" $(for run in $(seq "$runs"); do echo "$work/report-$run.json"; done)
done
