import { readFileSync } from 'node:fs';
import { AnalysisSession } from '/work/main/src/engine/engine.ts';
import { loadRuleset, stockSources } from '/work/main/src/engine/load-ruleset.ts';
const rs = loadRuleset(stockSources('/work/shared/wazuh-ruleset'));
const lines = readFileSync('/work/shared/conformance/wazuh-golden/sshd_100k.log').toString('latin1').split('\n');
const s = new AnalysisSession(rs, () => 1700000000);
const t = performance.now();
for (let i = 0; i < 100000; i++) s.process('/var/log/auth.log', lines[i]!);
console.log(performance.now() - t);
