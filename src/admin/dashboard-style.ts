/** The dashboard's stylesheet, served at /admin/assets/dashboard.css: system fonts only (nothing fetched). */
export const DASHBOARD_CSS = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;--accent:#2563eb;--ok:#dcfce7;--ok-fg:#166534;--warn:#fef3c7;--warn-fg:#92400e;--bad:#fee2e2;--bad-fg:#991b1b;--run:#dbeafe}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{background:#0f172a;color:#e2e8f0;padding:.8em 1.5em;display:flex;flex-wrap:wrap;align-items:center;gap:.4em 1.5em;position:relative}
header h1{font-size:1.25em;margin:0;color:#fff}
header a{color:#bfdbfe;text-decoration:none;margin-right:1em}
header a:hover,header a:focus{text-decoration:underline}
header .muted{color:#94a3b8}
header .bar{flex-basis:100%;display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.4em;font-size:.95em}
main{max-width:1500px;margin:0 auto;padding:1em 1.5em 3em}
section{margin-top:1.6em}
h2{font-size:1.2em;margin:.2em 0 .6em;padding-bottom:.2em;border-bottom:2px solid var(--line)}
h3{font-size:1em;margin:.2em 0 .5em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1em}
.grid-3{grid-template-columns:repeat(auto-fill,minmax(420px,1fr))}
.chart,.panel,.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7em .8em;margin:0;min-width:0}
.chart:focus,.chart:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:1em;margin-top:0}
.card h3{display:flex;align-items:center;gap:.5em}
.card-bad{border-color:#fca5a5}
dl{margin:0;display:grid;gap:.15em}
dl div{display:grid;grid-template-columns:9.5em 1fr}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.badge,.tag{display:inline-block;padding:.05em .5em;border-radius:999px;font-size:.85em;font-weight:600;background:#e5e7eb;color:#374151;white-space:nowrap}
.tag{font-weight:500;margin-left:.3em}
.tag-warn,.badge.warn{background:var(--warn);color:var(--warn-fg)}
.badge.ok{background:var(--ok);color:var(--ok-fg)}.badge.bad{background:var(--bad);color:var(--bad-fg)}.badge.run{background:var(--run);color:#1e40af}
.muted{color:var(--muted)}.small{font-size:.88em}
.bad-text{color:var(--bad-fg)}.warn-text{color:var(--warn-fg)}
table{border-collapse:collapse;margin:.3em 0;width:100%}
td,th{border-bottom:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600}
tbody th{background:none}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.3em .6em}
.scroll table{margin:0}
details pre{max-width:32em;white-space:pre-wrap;font-size:.85em;margin:.3em 0}
summary{cursor:pointer;color:var(--accent)}
.bars .bar{display:inline-block;height:.9em;border-radius:3px;vertical-align:middle}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{display:grid;grid-template-columns:minmax(18em,26em) 1fr;align-items:center;gap:.8em;padding:.15em 0}
.tl-track{position:relative;height:1.1em;background:#f1f5f9;border-radius:3px}
.tl-seg{position:absolute;top:0;bottom:0;border-radius:3px}
.family{color:var(--muted);font-size:.9em}
.legend span{margin-right:1em;white-space:nowrap}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.3em;vertical-align:middle}
.checks{margin:.2em 0 0;padding-left:1.1em;font-size:.88em}
.checks .pass{color:var(--ok-fg)}.checks .fail{color:var(--bad-fg)}
ul.compact{margin:.4em 0;padding-left:1.2em}
.user-grid{display:grid;grid-template-columns:minmax(260px,1fr) 2.4fr;gap:1.2em;margin-top:.8em}
ol.listens{padding-left:1.6em;margin:0}
form.controls{display:flex;align-items:center;gap:.5em;flex-wrap:wrap}
input,select,button{font:inherit;padding:.3em .5em;border:1px solid #cbd5e1;border-radius:6px;background:#fff;color:var(--fg)}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
header select{background:#1e293b;color:#e2e8f0;border-color:#334155}
.runs{margin-top:1em}
.inner-chart{margin-top:.8em}
.inner-chart h3{font-size:.92em;font-weight:600}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;padding:.4em;z-index:20}
.uplot{width:100%}.u-legend{font-size:12.5px}.u-legend .u-marker{width:.8em;height:.8em}
@media (max-width:1200px){.grid{grid-template-columns:1fr}.user-grid{grid-template-columns:1fr}}
`;
