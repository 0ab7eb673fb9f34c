// SPDX-License-Identifier: GPL-2.0-or-later
// The vstm32 live view: plain JS and SVG, no build step.  The server sends
// each board's snapshot (emulator/trace/live.c) as a server-sent event;
// this file only draws it.  Text from the board (console, decoded
// requests) is always set as textContent, never as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

function el(tag, attrs, text) {
  const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const hex = (v, digits) => '0x' + (v >>> 0).toString(16).toUpperCase().padStart(digits || 8, '0');

// ---- index -------------------------------------------------------------------

async function showIndex() {
  $('index').hidden = false;
  const list = $('board-list');
  try {
    const boards = await (await fetch('/api/boards')).json();
    for (const b of boards) {
      const li = el('li');
      li.append(el('a', { href: '/board/' + b.index, id: 'board-link-' + b.index }, 'board ' + b.index + ': ' + b.part));
      li.append(el('span', { class: 'describe' }, ' — ' + b.describe));
      list.append(li);
    }
    $('link-state').textContent = boards.length + ' board' + (boards.length === 1 ? '' : 's');
  } catch (err) {
    $('link-state').textContent = 'cannot list boards: ' + err;
  }
}

// ---- DFU state diagram (states and edges from the device's own table) --------

// Where each bState sits (DFU 1.1 figure A.1's reading order, left to right).
const POS = [
  [90, 40], [90, 130], [300, 130], [520, 40], [750, 40], [520, 130],
  [750, 130], [750, 230], [520, 230], [300, 230], [90, 230],
];
const BOX_W = 176, BOX_H = 34;
let dfuTable = null;

function border(from, to) {
  const [cx, cy] = from, dx = to[0] - cx, dy = to[1] - cy;
  const sx = dx ? (BOX_W / 2) / Math.abs(dx) : Infinity, sy = dy ? (BOX_H / 2) / Math.abs(dy) : Infinity;
  const s = Math.min(sx, sy);
  return [cx + dx * s, cy + dy * s];
}

function edgePath(from, to, bend) {
  const a = border(POS[from], POS[to]), b = border(POS[to], POS[from]);
  const mx = (a[0] + b[0]) / 2 - (b[1] - a[1]) * bend, my = (a[1] + b[1]) / 2 + (b[0] - a[0]) * bend;
  return `M${a[0].toFixed(1)},${a[1].toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${b[0].toFixed(1)},${b[1].toFixed(1)}`;
}

function drawDiagram(snap) {
  const svg = $('dfu-diagram');
  svg.textContent = '';
  const defs = el('svg:defs');
  for (const [id, color] of [['arrow', '#c9ced6'], ['arrow-taken', '#f08c00']]) {
    const m = el('svg:marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    defs.append(m);
  }
  svg.append(defs);
  if (!dfuTable) return;
  const seen = new Set();
  for (const e of dfuTable.edges) {
    const key = e.from + '>' + e.to;
    if (seen.has(key) || e.from >= POS.length || e.to >= POS.length) continue;
    seen.add(key);
    const p = el('svg:path', { class: 'edge', d: edgePath(e.from, e.to, 0.12) });
    p.append(el('svg:title', {}, `${dfuTable.states[e.from]} → ${dfuTable.states[e.to]}: ${e.request}${e.zero_length ? ' (length 0)' : ''} — ${e.cite}`));
    svg.append(p);
  }
  const visited = new Set();
  for (const t of snap.transitions) {
    visited.add(t.from); visited.add(t.to);
    const p = el('svg:path', { class: 'taken', d: edgePath(t.from, t.to, 0.12), 'data-from': t.from, 'data-to': t.to });
    p.append(el('svg:title', {}, `#${t.n} ${t.request}: ${dfuTable.states[t.from]} → ${dfuTable.states[t.to]}`));
    svg.append(p);
  }
  const current = snap.dfu.present ? snap.dfu.state : -1;
  svg.setAttribute('data-current', current >= 0 ? dfuTable.states[current] : 'none');
  dfuTable.states.forEach((name, i) => {
    if (i >= POS.length) return;
    const g = el('svg:g', { 'data-state': name, class: i === current ? 'current' : visited.has(i) ? 'visited' : '' });
    g.append(el('svg:rect', { x: POS[i][0] - BOX_W / 2, y: POS[i][1] - BOX_H / 2, width: BOX_W, height: BOX_H, rx: 6 }));
    g.append(el('svg:text', { x: POS[i][0], y: POS[i][1] }, name + ' (' + i + ')'));
    svg.append(g);
  });
  $('dfu-caption').textContent = snap.dfu.present
    ? `${snap.dfu.busid}: ${snap.dfu.state_name}, status ${snap.dfu.status_name}, address pointer ${hex(snap.dfu.pointer)}, alt ${snap.dfu.alt}`
    : `no DFU device on the bus (${snap.dfu.busid} when it enumerates)`;
  const ol = $('transitions');
  ol.textContent = '';
  for (const t of snap.transitions.slice(-6)) ol.append(el('li', {}, `#${t.n} ${t.request}: ${dfuTable.states[t.from]} → ${dfuTable.states[t.to]}`));
}

// ---- flash map -----------------------------------------------------------------

let lastFlash = '';

function drawFlash(f) {
  const svg = $('flash-map');
  const n = f.units.length, cols = Math.max(1, Math.min(n, 32)), rows = Math.ceil(n / cols);
  const cw = 1000 / cols, ch = Math.max(18, Math.min(40, cw * 0.5));
  svg.setAttribute('viewBox', `0 0 1000 ${rows * ch}`);
  svg.textContent = '';
  const STATE = { e: 'erased', w: 'written', x: 'ECC-poisoned', '?': 'outside the array' };
  for (let i = 0; i < n; i++) {
    const s = f.state[i] || '?', wrp = f.wrp ? f.wrp[i] === '1' : false;
    const cls = ['u-' + (s === '?' ? 'q' : s)];
    if (wrp) cls.push('wrp');
    if (lastFlash && lastFlash[i] !== s) cls.push('fresh');
    const r = el('svg:rect', { x: (i % cols) * cw + 1, y: Math.floor(i / cols) * ch + 1, width: cw - 2, height: ch - 2,
      class: cls.join(' '), 'data-unit': i, 'data-state': s, 'data-wrp': wrp ? 1 : 0 });
    const [addr, size] = f.units[i];
    r.append(el('svg:title', {}, `${f.unit} ${i}: ${hex(addr)}, ${size / 1024} KiB, ${STATE[s] || s}${wrp ? ', write-protected' : ''}`));
    svg.append(r);
  }
  lastFlash = f.state;
  const written = [...f.state].filter((c) => c !== 'e').length;
  $('flash-caption').textContent = `${n} ${f.unit}s at ${hex(f.base)}, ${f.size / 1024} KiB in ${f.banks} bank${f.banks > 1 ? 's' : ''}; ` +
    `${written} not erased` + (f.wrp ? '' : '; write protection not shown for this generation');
}

// ---- the rest --------------------------------------------------------------------

function drawOptbytes(obs) {
  const tb = $('optbytes').tBodies[0];
  tb.textContent = '';
  for (const r of obs) {
    const tr = el('tr');
    tr.append(el('td', {}, r.name + (r.pair_ok ? '' : ' (complement mismatch)')));
    tr.append(el('td', {}, hex(r.value)));
    const fields = el('td');
    for (const f of r.fields) {
      const s = el('span', { title: f.doc }, `${f.name}=${f.width > 4 ? hex(f.value, Math.ceil(f.width / 4)) : f.value} `);
      fields.append(s);
    }
    tr.append(fields);
    tb.append(tr);
  }
}

function drawRequests(reqs) {
  const tb = $('requests').tBodies[0];
  tb.textContent = '';
  for (const r of reqs.slice(-24).reverse()) {
    const bus = r.request.startsWith('bus:') || r.request.startsWith('button:');
    const err = /STALL|err[A-Z]|failed/.test(r.answer + r.flash);
    const tr = el('tr', { class: bus ? 'bus' : err ? 'err' : '' });
    tr.append(el('td', {}, r.n));
    tr.append(el('td', {}, r.t));
    tr.append(el('td', {}, r.busid));
    tr.append(el('td', {}, r.request + (r.flash ? ' — flash: ' + r.flash : '')));
    tr.append(el('td', {}, r.answer));
    tr.append(el('td', {}, r.from ? `${r.from} → ${r.to || 'gone'}` : ''));
    tb.append(tr);
    if (r.why) {
      const w = el('tr', { class: 'why' });
      w.append(el('td'), el('td'), el('td'));
      w.append(el('td', { class: 'why', colspan: 3 }, 'why: ' + r.why));
      tb.append(w);
    }
  }
}

function render(snap) {
  $('title').textContent = `board ${snap.index}: ${snap.part} (${snap.generation})`;
  $('describe').textContent = snap.describe;
  $('run-state').textContent = snap.run_state;
  $('boot-target').textContent = snap.boot_target;
  $('boot0').textContent = snap.boot0;
  const rdp = $('rdp');
  rdp.textContent = 'level ' + snap.rdp_level + (snap.option_error ? ' (option error)' : '');
  rdp.className = 'rdp l' + snap.rdp_level;
  $('dfu-present').textContent = snap.dfu.present ? `${snap.dfu.busid} ${snap.dfu.state_name}` : 'absent';
  $('enumerations').textContent = snap.enumerations;
  $('snapshot').textContent = snap.snapshot;
  drawFlash(snap.flash);
  drawDiagram(snap);
  drawOptbytes(snap.optbytes);
  drawRequests(snap.requests);
  const con = $('console');
  con.textContent = snap.console;
  con.scrollTop = con.scrollHeight;
  document.body.setAttribute('data-snapshot', snap.snapshot);
}

async function press(board, action) {
  const out = $('action-result');
  out.textContent = action + '…';
  try {
    const r = await fetch(`/api/board/${board}/action/${action}`, { method: 'POST', headers: { 'X-Vstm32-Action': '1' } });
    const body = await r.json();
    out.textContent = r.ok ? `${action}: ${body.describe}` : `${action}: ${body.error}`;
  } catch (err) {
    out.textContent = `${action}: ${err}`;
  }
}

async function showBoard(board) {
  $('board').hidden = false;
  try {
    dfuTable = await (await fetch('/api/dfu-table')).json();
  } catch (err) {
    dfuTable = null;
  }
  for (const b of document.querySelectorAll('button[data-action]'))
    b.addEventListener('click', () => press(board, b.getAttribute('data-action')));
  const link = $('link-state');
  const es = new EventSource('/events/' + board);
  es.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
  es.onopen = () => { link.textContent = 'live'; link.className = 'link live'; };
  es.onerror = () => { link.textContent = 'reconnecting…'; link.className = 'link lost'; };
}

const m = location.pathname.match(/^\/board\/(\d+)$/);
if (m) showBoard(Number(m[1]));
else showIndex();
