// The report page: one self-contained HTML file (inline CSS, inline SVG plots, the samples as embedded JSON and a
// small viewer script; no network). Not the plots (charts.ts) and not what to plot (figures.ts).
// The samples viewer shows each completion's reasoning and answer apart, with its reward breakdown.
import type { RenderedChart } from './charts.js';
import type { ViewSample } from './samples.js';

export interface Page {
  title: string;
  runDir: string;
  generatedAt: string;
  settings: [string, string][];
  notes: string[];
  tables: { title: string; head: string[]; rows: string[][]; caption?: string }[];
  charts: RenderedChart[];
  otherKeys: { key: string; last: number }[];
  samples: ViewSample[];
  samplesTotal: number;
  /** Runs inside this folder (a pipeline's stages), linked by their own report.html. */
  subruns: { name: string; hasReport: boolean }[];
  /** Added by `r1 report --serve`: poll `url` and reload when it answers other than `version` (the page's own). */
  live?: { url: string; version: string };
}

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));

const CSS = `
body{font:14px/1.45 system-ui,DejaVu Sans,sans-serif;margin:0;color:#222;background:#f6f6f4}
header{background:#fff;border-bottom:1px solid #ddd;padding:14px 24px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:26px 0 10px} .sub{color:#666;font-size:12px}
main{padding:0 24px 40px;max-width:1400px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:10px 12px}
figure h3{font-size:14px;margin:0 0 6px} figure svg{max-width:100%;height:auto} figcaption{color:#555;font-size:12px}
table{border-collapse:collapse;background:#fff;font-size:12px} .tw{max-width:100%;overflow-x:auto} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left} th{background:#f0f0ee}
td.n{text-align:right;font-variant-numeric:tabular-nums} td.miss{color:#c62828;font-weight:600} td.met{color:#2e7d32;font-weight:600}
.settings{display:flex;flex-wrap:wrap;gap:4px 18px;margin:14px 0;font-size:12px;color:#444} .settings b{color:#222;font-weight:600}
.notes{background:#fff8e1;border:1px solid #f0d98a;border-radius:6px;padding:8px 14px} .notes li{margin:2px 0}
#filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px}
#filters input{width:80px}
.sample{background:#fff;border:1px solid #ddd;border-left:4px solid #999;border-radius:6px;margin:10px 0;padding:8px 12px}
.sample.ok{border-left-color:#2e7d32} .sample.bad{border-left-color:#c62828}
.meta{font-size:12px;color:#555;display:flex;gap:14px;flex-wrap:wrap}
.sample pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;padding:6px 8px;border-radius:4px;font:12px/1.4 DejaVu Sans Mono,monospace}
pre.prompt{background:#f3f3f3} pre.think{background:#eef3fb} pre.answer{background:#eaf6ea;font-weight:bold} pre.other{background:#fbeeee}
.lbl{font-size:11px;color:#777;text-transform:uppercase;letter-spacing:.04em}
`;

/** The viewer: filters by step range, correct / wrong, style and faithfulness; renders 50 cards at a time. */
const VIEWER = `
(function(){
var data=JSON.parse(document.getElementById('samples-data').textContent);
var $=function(id){return document.getElementById(id)};
var list=$('samples'),count=$('sample-count'),more=$('more'),shown=0,matches=[];
var styles={},stages=[];data.forEach(function(s){styles[s.style||'none']=1;if(s.stage&&stages.indexOf(s.stage)<0)stages.push(s.stage)});
Object.keys(styles).sort().forEach(function(k){var o=document.createElement('option');o.value=k;o.textContent=k;$('f-style').appendChild(o)});
stages.forEach(function(k){var o=document.createElement('option');o.value=k;o.textContent=k;$('f-stage').appendChild(o)});
if(!stages.length)$('l-stage').style.display='none';
var steps=data.map(function(s){return s.step});
if(steps.length){$('f-from').value=Math.min.apply(null,steps);$('f-to').value=Math.max.apply(null,steps)}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e}
function fmt(v){return v==null?'–':(typeof v==='number'?(Math.round(v*1000)/1000).toString():String(v))}
function card(s){
  var c=el('div','sample '+(s.correct===true?'ok':s.correct===false?'bad':''));
  c.dataset.step=s.step;c.dataset.correct=String(s.correct);c.dataset.style=s.style||'none';c.dataset.faithful=String(s.faithful);
  var m=el('div','meta');
  [].concat(s.stage?[['stage',s.stage]]:[],[['step',s.step<0?'measurement':s.step],['result',s.correct===true?'correct':s.correct===false?'wrong':'not judged'],['style',s.style||'none'],
   ['answer follows its lines',s.faithful===true?'yes':s.faithful===false?'no':'–'],['wrong lines',s.lines?s.unfaithful_lines+'/'+s.lines:'–'],['reward',fmt(s.reward)],['advantage',fmt(s.advantage)],['tokens',fmt(s.tokens)],['finish',fmt(s.finish)],['gold',fmt(s.gold)]])
   .forEach(function(p){m.appendChild(el('span',null,p[0]+': '+p[1]))});
  var rk=Object.keys(s.rewards||{});if(rk.length)m.appendChild(el('span',null,'rewards: '+rk.map(function(k){return k+' '+fmt(s.rewards[k])}).join(', ')));
  c.appendChild(m);
  c.appendChild(el('div','lbl','prompt'));c.appendChild(el('pre','prompt',s.prompt));
  if(s.think!=null){c.appendChild(el('div','lbl','reasoning')); c.appendChild(el('pre','think',s.think))}
  if(s.answer!=null){c.appendChild(el('div','lbl','answer')); c.appendChild(el('pre','answer',s.answer))}
  if(s.other){c.appendChild(el('div','lbl',s.think==null&&s.answer==null?'completion (no tags)':'outside the tags')); c.appendChild(el('pre','other',s.other))}
  return c}
function page(){var end=Math.min(matches.length,shown+50);for(var i=shown;i<end;i++)list.appendChild(card(matches[i]));shown=end;more.style.display=shown<matches.length?'':'none'}
function apply(){
  var from=Number($('f-from').value),to=Number($('f-to').value),r=$('f-result').value,st=$('f-style').value,fa=$('f-faithful').value,sg=$('f-stage').value,pr=$('f-prompt').value;
  matches=data.filter(function(s){
    if(sg!=='all'&&s.stage!==sg)return false; if(pr&&s.prompt.indexOf(pr)<0)return false;
    if($('f-from').value!==''&&s.step<from)return false; if($('f-to').value!==''&&s.step>to)return false;
    if(r!=='all'&&String(s.correct)!==r)return false; if(st!=='all'&&(s.style||'none')!==st)return false;
    if(fa!=='all'&&String(s.faithful)!==fa)return false; return true});
  // one prompt picked: its replies side by side in stage order, to compare the stages
  if(pr&&stages.length)matches.sort(function(a,b){return stages.indexOf(a.stage)-stages.indexOf(b.stage)});
  list.textContent='';shown=0;count.textContent=matches.length+' of '+data.length+' samples match';page()}
['f-from','f-to','f-result','f-style','f-faithful','f-stage','f-prompt'].forEach(function(id){$(id).addEventListener('input',apply);$(id).addEventListener('change',apply)});
more.addEventListener('click',page);apply();
})();`;

const LIVE = (url: string, version: string) => `
(function(){var v=${scriptJson(version)};setInterval(function(){fetch(${JSON.stringify(url)}).then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v)location.reload();v=t}).catch(function(){})},3000)})();`;

function table(t: Page['tables'][number]): string {
  const num = (c: string) => /^-?[\d.,]+%?$/.test(c);
  return `<h2>${esc(t.title)}</h2>${t.caption ? `<p class="sub">${esc(t.caption)}</p>` : ''}<div class="tw"><table><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${
    t.rows.map((r) => `<tr>${r.map((c) => `<td${num(c) ? ' class="n"' : c === 'MISS' ? ' class="miss"' : c === 'met' ? ' class="met"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</table></div>`;
}

export function renderPage(p: Page): string {
  const charts = p.charts.map((c) => `<figure class="chart" id="chart-${esc(c.id)}" data-chart="${esc(c.id)}" data-points="${c.points}" data-marks="${c.marks}">` +
    `<h3>${esc(c.title)}</h3>${c.svg}<figcaption>${esc(c.caption)}</figcaption></figure>`).join('\n');
  const other = p.otherKeys.length ? `<details><summary>${p.otherKeys.length} other logged numbers (not plotted)</summary><table><tr><th>key</th><th>last value</th></tr>${
    p.otherKeys.map((o) => `<tr><td>${esc(o.key)}</td><td class="n">${esc(String(Math.round(o.last * 1e4) / 1e4))}</td></tr>`).join('')}</table></details>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(p.title)}</h1><div class="sub">${esc(p.runDir)} · report written ${esc(p.generatedAt)} by r1 report</div></header>
<main>
${p.settings.length ? `<div class="settings">${p.settings.map(([k, v]) => `<span><b>${esc(k)}</b> ${esc(v)}</span>`).join('')}</div>` : ''}
${p.notes.length ? `<ul class="notes" id="notes">${p.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${p.subruns.length ? `<h2>Runs in this folder</h2><ul id="subruns">${p.subruns.map((r) => r.hasReport
    ? `<li><a href="${esc(encodeURIComponent(r.name))}/report.html">${esc(r.name)}</a></li>`
    : `<li>${esc(r.name)} (no report yet: r1 report ${esc(r.name)})</li>`).join('')}</ul>` : ''}
${p.tables.map(table).join('\n')}
<h2>Plots</h2>
<div class="grid" id="charts">
${charts || '<p>Nothing to plot yet.</p>'}
</div>
${other}
<h2>Samples</h2>
<div id="filters">
<label id="l-stage">stage <select id="f-stage"><option value="all">all</option></select></label>
<label>prompt contains <input id="f-prompt" type="text" style="width:180px"></label>
<label>steps <input id="f-from" type="number"> to <input id="f-to" type="number"></label>
<label>result <select id="f-result"><option value="all">all</option><option value="true">correct</option><option value="false">wrong</option><option value="null">not judged</option></select></label>
<label>style <select id="f-style"><option value="all">all</option></select></label>
<label>faithful <select id="f-faithful"><option value="all">all</option><option value="true">answer follows its lines</option><option value="false">answer contradicts its lines</option><option value="null">not judged</option></select></label>
<span id="sample-count"></span>
</div>
<p class="sub">${p.samples.length < p.samplesTotal ? `${p.samples.length} of ${p.samplesTotal} logged samples are embedded (see the notes).` : `${p.samplesTotal} logged samples.`}</p>
<div id="samples"></div><button id="more" type="button">show 50 more</button>
</main>
<script type="application/json" id="samples-data">${scriptJson(p.samples)}</script>
<script>${VIEWER}${p.live ? LIVE(p.live.url, p.live.version) : ''}</script>
</body></html>
`;
}
