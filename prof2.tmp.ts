import { loadRuleset, stockSources } from './src/engine/load-ruleset.ts';
for (let i = 0; i < 3; i++) { const t = performance.now(); loadRuleset(stockSources('../shared/wazuh-ruleset')); console.log('load', (performance.now() - t).toFixed(0)); }
