// The style and script of the HTML report, inlined into every page so it
// works opened from disk and loads nothing from the network. The page's
// Content-Security-Policy allows exactly these two texts (by their SHA-256),
// so no other script or style can run even if something slipped through the
// escaping. The script builds every element with textContent, never HTML.

export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4a5360; --line: #d0d7de; --bg: #ffffff; --soft: #f4f6f8;
  --error: #a40e26; --warning: #7a4d00; --info: #0a4f9e; --ok: #116329; --add-bg: #dafbe1; --del-bg: #ffebe9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 24px 0 8px; }
h3 { font-size: 1rem; margin: 16px 0 6px; }
p { margin: 4px 0 8px; }
a { color: var(--info); }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.86rem; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; background: var(--soft); }
.card strong { display: block; font-size: 1.4rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: var(--soft); }
svg.bar { width: 100%; min-width: 60px; height: 10px; display: block; }
svg.bar .track { fill: #e6e9ed; }
svg.bar .fill { fill: #2f7d32; }
.sev { font-weight: 600; white-space: nowrap; }
.sev-error { color: var(--error); } .sev-warning { color: var(--warning); } .sev-info { color: var(--info); } .sev-exempt { color: var(--muted); }
.met { color: var(--ok); font-weight: 600; } .missed { color: var(--error); font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; padding: 8px 0; border-bottom: 1px solid var(--line); }
.controls label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
.controls fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 8px; flex-wrap: wrap; }
.controls fieldset label { flex-direction: row; gap: 4px; align-items: center; color: var(--fg); }
.controls legend { font-size: 0.85rem; color: var(--muted); padding: 0; }
input[type=search], select { font: inherit; padding: 4px 6px; max-width: 100%; }
button { font: inherit; padding: 4px 10px; border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: var(--fg); cursor: pointer; }
button:focus-visible, summary:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
details.group { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.group > summary { padding: 8px 12px; cursor: pointer; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
details.group > summary::before { content: "\\25B8"; color: var(--muted); }
details.group[open] > summary::before { content: "\\25BE"; }
details.group > summary .name { font-weight: 600; overflow-wrap: anywhere; }
details.group > .body { padding: 0 12px 12px; }
.badges { display: inline-flex; gap: 8px; flex-wrap: wrap; font-size: 0.85rem; }
pre.diff { border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; margin: 6px 0; padding: 4px 0; background: #fbfcfd; }
pre.diff span { display: block; padding: 0 8px; white-space: pre; }
pre.diff .add { background: var(--add-bg); color: #0a3d1a; } pre.diff .del { background: var(--del-bg); color: #6e0b18; } pre.diff .hunk { color: var(--muted); background: var(--soft); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
.status { font-size: 0.85rem; color: var(--ok); }
ul.plain { margin: 4px 0; padding-left: 20px; }
footer { padding: 24px 16px; color: var(--muted); font-size: 0.85rem; }
@media (max-width: 600px) { body { font-size: 14px; } th, td { padding: 3px 4px; } .card { min-width: 90px; } }
`;

// Plain JavaScript (ES2017), kept free of template literals so it can sit in this string as it is.
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent || 'null') : null; }
  var meta = data('rl-meta');
  var entries = data('rl-entries') || [];
  var findings = data('rl-findings') || [];
  // Fix hints, field paths and fix lines repeat across workloads: the page holds each once and refers to it by index.
  var strings = data('rl-strings') || [];
  // Fixes are most of a large page's bytes and are needed only when one is opened: parsed then.
  var fixes = null;
  function fixAt(index) { if (fixes === null) fixes = data('rl-fixes') || []; return fixes[index]; }
  var SEV = ['error', 'warning', 'info'];
  var E = { file: 0, line: 1, kind: 2, namespace: 3, name: 4, helm: 5, score: 6, missed: 7, fix: 8 };
  var F = { entry: 0, rule: 1, sev: 2, line: 3, column: 4, container: 5, containerType: 6, message: 7, hint: 8, path: 9, exempted: 10, reason: 11 };
  var PAGE = 100;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var key in attrs) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    if (children) for (var i = 0; i < children.length; i++) if (children[i]) node.appendChild(children[i]);
    return node;
  }
  function label(entry) { return entry[E.kind] + ' ' + (entry[E.namespace] ? entry[E.namespace] + '/' : '') + entry[E.name]; }
  function where(file, line, column) { return line > 0 ? file + ':' + line + (column > 0 ? ':' + column : '') : file; }
  function severityText(finding) { return finding[F.exempted] ? 'exempt' : SEV[finding[F.sev]]; }

  var byEntry = entries.map(function () { return []; });
  for (var i = 0; i < findings.length; i++) byEntry[findings[i][F.entry]].push(i);
  var entryText = entries.map(function (entry) { return (label(entry) + ' ' + entry[E.file] + ' ' + (entry[E.helm] || '')).toLowerCase(); });

  var form = document.getElementById('rl-controls');
  var results = document.getElementById('rl-results');
  var countLine = document.getElementById('rl-count');
  var more = document.getElementById('rl-more');
  var state = null;
  var groups = [];
  var shown = 0;

  function read() {
    var sev = {};
    ['error', 'warning', 'info', 'exempt'].forEach(function (name) { sev[name] = form.elements['sev-' + name].checked; });
    return { sev: sev, rule: form.elements.rule.value, namespace: form.elements.namespace.value, text: form.elements.text.value.trim().toLowerCase(),
      group: form.elements.group.value, sort: form.elements.sort.value, clean: form.elements.clean.checked };
  }
  function findingMatches(index) {
    var finding = findings[index];
    if (!state.sev[severityText(finding)]) return false;
    if (state.rule !== '' && meta.rules[finding[F.rule]].id !== state.rule) return false;
    var entry = entries[finding[F.entry]];
    if (state.namespace !== '' && 'ns:' + entry[E.namespace] !== state.namespace) return false;
    if (state.text === '') return true;
    if (entryText[finding[F.entry]].indexOf(state.text) !== -1) return true;
    var hay = (meta.rules[finding[F.rule]].id + ' ' + finding[F.message] + ' ' + strings[finding[F.hint]] + ' ' + (finding[F.container] || '') + ' ' + strings[finding[F.path]]).toLowerCase();
    return hay.indexOf(state.text) !== -1;
  }
  function compute() {
    groups = [];
    var total = 0;
    if (state.group === 'rule') {
      var perRule = meta.rules.map(function () { return []; });
      for (var f = 0; f < findings.length; f++) if (findingMatches(f)) perRule[findings[f][F.rule]].push(f);
      perRule.forEach(function (list, rule) { if (list.length) { groups.push({ kind: 'rule', rule: rule, findings: list }); total += list.length; } });
      groups.sort(state.sort === 'name' ? function (a, b) { return meta.rules[a.rule].id < meta.rules[b.rule].id ? -1 : 1; }
        : function (a, b) { return b.findings.length - a.findings.length || a.rule - b.rule; });
    } else {
      for (var e = 0; e < entries.length; e++) {
        var entry = entries[e];
        if (state.namespace !== '' && 'ns:' + entry[E.namespace] !== state.namespace) continue;
        var list = byEntry[e].filter(findingMatches);
        var keep = list.length > 0 || (state.clean && byEntry[e].length === 0 && state.rule === '' && (state.text === '' || entryText[e].indexOf(state.text) !== -1));
        if (!keep) continue;
        groups.push({ kind: 'entry', entry: e, findings: list });
        total += list.length;
      }
      var byName = function (a, b) { var x = label(entries[a.entry]), y = label(entries[b.entry]); return x < y ? -1 : x > y ? 1 : a.entry - b.entry; };
      var score = function (entry) { return entry[E.score] < 0 ? 101 : entry[E.score]; };
      groups.sort(state.sort === 'name' ? byName : state.sort === 'findings' ? function (a, b) { return b.findings.length - a.findings.length || byName(a, b); }
        : function (a, b) { return score(entries[a.entry]) - score(entries[b.entry]) || b.findings.length - a.findings.length || byName(a, b); });
    }
    countLine.textContent = groups.length + (state.group === 'rule' ? ' rule(s), ' : ' object(s), ') + total + ' finding(s) match';
    results.textContent = '';
    shown = 0;
    showMore();
  }
  function showMore() {
    var end = Math.min(groups.length, shown + PAGE);
    var fragment = document.createDocumentFragment();
    for (; shown < end; shown++) fragment.appendChild(groupElement(groups[shown]));
    results.appendChild(fragment);
    more.hidden = shown >= groups.length;
    more.textContent = 'Show ' + Math.min(PAGE, groups.length - shown) + ' more (' + (groups.length - shown) + ' left)';
  }
  function counts(list) {
    var c = { error: 0, warning: 0, info: 0, exempt: 0 };
    list.forEach(function (index) { c[severityText(findings[index])]++; });
    var parts = [];
    ['error', 'warning', 'info', 'exempt'].forEach(function (name) { if (c[name]) parts.push(el('span', { className: 'sev sev-' + name, text: c[name] + ' ' + name })); });
    return el('span', { className: 'badges' }, parts);
  }
  function groupElement(group) {
    var details = el('details', { className: 'group' });
    var summary = el('summary');
    if (group.kind === 'rule') {
      var rule = meta.rules[group.rule];
      details.setAttribute('data-rule', rule.id);
      summary.appendChild(el('span', { className: 'name', text: rule.id }));
      summary.appendChild(el('span', { className: 'muted', text: rule.summary }));
    } else {
      var entry = entries[group.entry];
      details.setAttribute('data-entry', String(group.entry));
      summary.appendChild(el('span', { className: 'name', text: label(entry) }));
      summary.appendChild(el('span', { className: 'score', text: entry[E.score] < 0 ? 'not scored' : 'score ' + entry[E.score] }));
      if (entry[E.fix] >= 0) summary.appendChild(el('span', { className: 'muted', text: 'fixable' }));
    }
    summary.appendChild(counts(group.findings));
    details.appendChild(summary);
    details.addEventListener('toggle', function () {
      if (details.open && details.childNodes.length === 1) details.appendChild(group.kind === 'rule' ? ruleBody(group) : entryBody(group));
    });
    return details;
  }
  function table(headers, rows) {
    var head = el('tr', null, headers.map(function (h) { return el('th', { scope: 'col', text: h }); }));
    return el('div', { className: 'scroll' }, [el('table', null, [el('thead', null, [head]), el('tbody', null, rows)])]);
  }
  function severityCell(finding) { var text = severityText(finding); return el('td', { className: 'sev sev-' + text, text: text }); }
  function fixCell(finding) {
    return el('td', { text: finding[F.exempted] ? 'exempted' + (finding[F.reason] ? ': ' + finding[F.reason] : '') : strings[finding[F.hint]] });
  }
  function container(finding) { return finding[F.container] === null ? '' : (finding[F.containerType] && finding[F.containerType] !== 'container' ? finding[F.containerType] + ' ' : '') + finding[F.container]; }
  function ruleLink(rule) { return el('a', { href: meta.rules[rule].url, text: meta.rules[rule].id }); }
  function entryBody(group) {
    var entry = entries[group.entry];
    var body = el('div', { className: 'body' });
    body.appendChild(el('p', { className: 'mono', text: where(entry[E.file], entry[E.line], 0) + (entry[E.helm] ? ' (from ' + entry[E.helm] + ')' : '') }));
    if (group.findings.length) {
      body.appendChild(el('h3', { text: 'Findings' }));
      body.appendChild(table(['severity', 'rule', 'position', 'container', 'message', 'fix'], group.findings.map(function (index) {
        var finding = findings[index];
        return el('tr', { className: 'finding' }, [severityCell(finding), el('td', null, [ruleLink(finding[F.rule])]),
          el('td', { className: 'mono', text: meta.cluster ? strings[finding[F.path]] : where(entry[E.file], finding[F.line], finding[F.column]) }),
          el('td', { text: container(finding) }), el('td', { text: finding[F.message] }), fixCell(finding)]);
      })));
    }
    if (entry[E.score] >= 0) {
      body.appendChild(el('h3', { text: 'CKS immutability checklist' }));
      body.appendChild(table(['item', 'weight', 'met'], meta.items.map(function (item, index) {
        var missed = (entry[E.missed] & (1 << index)) !== 0;
        return el('tr', null, [el('td', { text: item.text }), el('td', { text: String(item.weight) }), el('td', { className: missed ? 'missed' : 'met', text: missed ? 'no' : 'yes' })]);
      })));
    }
    if (entry[E.fix] >= 0) body.appendChild(fixPart(fixAt(entry[E.fix])));
    return body;
  }
  function fixPart(fix) {
    var part = el('div', { className: 'fix' });
    part.appendChild(el('h3', { text: 'Fix (what rootlock fix changes)' }));
    if (fix.changes.length) part.appendChild(el('ul', { className: 'plain' }, fix.changes.map(function (line) { return el('li', { text: strings[line] }); })));
    if (fix.needsHuman.length) {
      part.appendChild(el('p', { text: 'Left to a person:' }));
      part.appendChild(el('ul', { className: 'plain' }, fix.needsHuman.map(function (line) { return el('li', { text: strings[line] }); })));
    }
    var status = el('span', { className: 'status', role: 'status' });
    var showDiff = el('button', { type: 'button', className: 'show-diff', 'aria-expanded': 'false', text: 'Show diff' });
    var copy = el('button', { type: 'button', className: 'copy-yaml', text: 'Copy fixed YAML' });
    var pre = null;
    showDiff.addEventListener('click', function () {
      if (pre === null) {
        pre = el('pre', { className: 'diff', tabindex: '0', 'aria-label': 'diff of the fix' }, fix.diff.replace(/\\n$/, '').split('\\n').map(function (line) {
          var kind = line.indexOf('+++') === 0 || line.indexOf('---') === 0 ? 'hunk' : line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : line[0] === '@' ? 'hunk' : 'ctx';
          return el('span', { className: kind, text: line === '' ? ' ' : line });
        }));
        part.appendChild(pre);
      } else pre.hidden = !pre.hidden;
      var open = !pre.hidden;
      showDiff.textContent = open ? 'Hide diff' : 'Show diff';
      showDiff.setAttribute('aria-expanded', String(open));
    });
    copy.addEventListener('click', function () {
      var done = function () { status.textContent = 'Copied the fixed YAML'; };
      var fallback = function () {
        var area = el('textarea', { 'aria-hidden': 'true' });
        area.value = fix.fixed;
        document.body.appendChild(area);
        area.select();
        var ok = document.execCommand('copy');
        area.remove();
        status.textContent = ok ? 'Copied the fixed YAML' : 'Copying is not allowed here; show the diff instead';
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(fix.fixed).then(done, fallback);
      else fallback();
    });
    part.appendChild(el('div', { className: 'actions' }, [showDiff, copy, status]));
    return part;
  }
  function ruleBody(group) {
    var body = el('div', { className: 'body' });
    body.appendChild(el('p', null, [document.createTextNode('Rule documentation: '), ruleLink(group.rule)]));
    body.appendChild(table(['severity', 'object', 'position', 'container', 'message', 'fix'], group.findings.map(function (index) {
      var finding = findings[index];
      var entry = entries[finding[F.entry]];
      return el('tr', { className: 'finding' }, [severityCell(finding), el('td', { text: label(entry) }),
        el('td', { className: 'mono', text: meta.cluster ? strings[finding[F.path]] : where(entry[E.file], finding[F.line], finding[F.column]) }),
        el('td', { text: container(finding) }), el('td', { text: finding[F.message] }), fixCell(finding)]);
    })));
    return body;
  }

  var ruleSelect = form.elements.rule;
  meta.rules.forEach(function (rule) { ruleSelect.appendChild(el('option', { value: rule.id, text: rule.id })); });
  var namespaceSelect = form.elements.namespace;
  meta.namespaces.forEach(function (name) { namespaceSelect.appendChild(el('option', { value: 'ns:' + name, text: name === '' ? '(no namespace)' : name })); });
  var timer = 0;
  form.addEventListener('input', function (event) {
    clearTimeout(timer);
    var update = function () { state = read(); compute(); };
    // Typing waits for a pause; a checkbox or a choice applies at once.
    if (event.target === form.elements.text) timer = setTimeout(update, 150);
    else update();
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  more.addEventListener('click', showMore);
  state = read();
  compute();
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
