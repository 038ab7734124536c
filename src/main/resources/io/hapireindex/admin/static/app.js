// hapi-fhir-reindex batch job admin page. Plain DOM, no framework, no external files.
// Job data is only ever put on the page with textContent / attributes, never parsed as HTML:
// error messages can hold user data.
'use strict';

(function () {
  const TOKEN_KEY = 'hfr-admin-token';
  const LIST_POLL_MS = 3000;
  const DETAIL_POLL_MS = 1500;
  const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED'];

  const $ = (id) => document.getElementById(id);
  const state = { page: 0, size: 25, stateFilter: '', typeFilter: '', timer: null, view: null, jobId: null, job: null };

  // ---------------------------------------------------------------- HTTP

  function token() {
    const t = sessionStorage.getItem(TOKEN_KEY);
    if (!t) return null;
    return /^bearer\s/i.test(t) ? t : 'Bearer ' + t;
  }

  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    const auth = token();
    if (auth) headers['Authorization'] = auth;
    if (method !== 'GET') {
      // the server refuses state-changing calls without it (cross-site request forgery protection)
      headers['X-HFR-Request'] = '1';
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch('api/' + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin', cache: 'no-store'
      });
    } catch (e) {
      return { status: 0, body: null, message: 'The server cannot be reached (' + e.message + ')' };
    }
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { status: response.status, body: json, message: outcomeText(json) };
  }

  /**
   * A download through fetch, so it carries the token like every other call (a plain link would not), saved
   * from a blob URL under the server's file name.
   */
  async function download(path) {
    const headers = {};
    const auth = token();
    if (auth) headers['Authorization'] = auth;
    const out = $('action-answer');
    try {
      const response = await fetch('api/' + path, { headers, credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) {
        let json = null;
        try { json = await response.json(); } catch (e) { json = null; }
        answer(out, false, 'Download refused (' + response.status + '): ' + (outcomeText(json) || 'no message'));
        return;
      }
      const disposition = response.headers.get('Content-Disposition') || '';
      const name = (/filename="([^"]+)"/.exec(disposition) || [null, path.replace(/\//g, '-')])[1];
      const url = URL.createObjectURL(await response.blob());
      const a = el('a', null, { href: url, download: name });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      answer(out, false, 'Download failed: ' + e.message);
    }
  }

  function outcomeText(json) {
    if (json && json.resourceType === 'OperationOutcome' && json.issue && json.issue.length) {
      return json.issue.map((i) => i.diagnostics || i.code).join('; ');
    }
    return null;
  }

  function outcomeParameter(json) {
    const issue = json && json.issue && json.issue[0];
    return issue && issue.expression && issue.expression[0];
  }

  function refused(result) {
    if (result.status === 401 || result.status === 403) {
      showNotice('The server refused (' + result.status + '): ' + (result.message || 'not allowed') +
        '. Paste a token that may run $reindex in the Bearer token field.');
      return true;
    }
    if (result.status === 0) {
      showNotice(result.message);
      return true;
    }
    return false;
  }

  function showNotice(text) {
    const n = $('notice');
    n.textContent = text;
    n.hidden = !text;
  }

  // ---------------------------------------------------------------- formatting

  function pad(n) { return String(n).padStart(2, '0'); }

  function when(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || seconds === '') return '—';
    const s = Math.round(Number(seconds));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function num(v) { return v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US'); }

  function eta(job) {
    if (ENDED.includes(job.state)) return '—';
    if (job.etaSeconds !== undefined && job.etaSeconds !== null) return duration(job.etaSeconds);
    return job.eta || '—';
  }

  function resources(job) {
    if (job.total === null || job.total === undefined) return job.done === null || job.done === undefined ? '—' : num(job.done);
    return num(job.done) + ' / ' + num(job.total);
  }

  function errors(job) {
    const parts = [];
    if (job.failed) parts.push(num(job.failed) + (job.module ? ' failed' : ' errors'));
    if (job.errorMessage) parts.push(job.errorMessage);
    return parts.length ? parts.join(': ') : '—';
  }

  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (attrs) Object.keys(attrs).forEach((k) => e.setAttribute(k, attrs[k]));
    return e;
  }

  function progressBar(value, label) {
    const p = el('progress', null, { max: '100', value: String(value || 0), 'aria-label': label });
    p.textContent = (value || 0) + ' %';
    return p;
  }

  function badge(status) {
    return el('span', status, { class: 'badge ' + status });
  }

  // ---------------------------------------------------------------- views

  function route() {
    clearTimeout(state.timer);
    showNotice('');
    const hash = location.hash || '#/';
    const job = /^#\/job\/([A-Za-z0-9-]+)$/.exec(hash);
    state.view = job ? 'detail' : hash === '#/start' ? 'start' : 'list';
    state.jobId = job ? job[1] : null;
    $('view-list').hidden = state.view !== 'list';
    $('view-detail').hidden = state.view !== 'detail';
    $('view-start').hidden = state.view !== 'start';
    $('nav-list').toggleAttribute('aria-current', state.view === 'list');
    $('nav-start').toggleAttribute('aria-current', state.view === 'start');
    if (state.view === 'list') { document.title = 'Batch jobs – hapi-fhir-reindex'; loadList(); }
    if (state.view === 'detail') { document.title = 'Job ' + state.jobId + ' – hapi-fhir-reindex'; $('action-answer').textContent = ''; loadDetail(); }
    if (state.view === 'start') { document.title = 'Start a reindex – hapi-fhir-reindex'; }
  }

  function schedule(fn, ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => { if (document.hidden) schedule(fn, ms); else fn(); }, ms);
  }

  // ---- list

  async function loadList() {
    const q = new URLSearchParams({ page: state.page, size: state.size });
    if (state.stateFilter) q.set('state', state.stateFilter);
    if (state.typeFilter) q.set('type', state.typeFilter);
    const result = await api('GET', 'jobs?' + q);
    if (state.view !== 'list') return;
    if (!refused(result)) {
      if (result.status !== 200) {
        showNotice('Could not list jobs: ' + (result.message || result.status));
      } else {
        showNotice('');
        renderList(result.body);
      }
    }
    schedule(loadList, LIST_POLL_MS);
  }

  function cell(row, label, content, cls) {
    const td = el('td', null, { 'data-label': label });
    if (cls) td.className = cls;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function renderList(data) {
    const body = $('jobs-body');
    const rows = [];
    data.jobs.forEach((job) => {
      const tr = el('tr', null, { 'data-job-id': job.id, 'data-state': job.state });
      const link = el('a', job.id, { href: '#/job/' + encodeURIComponent(job.id), class: 'id' });
      cell(tr, 'Job', link);
      cell(tr, 'Type', job.type);
      cell(tr, 'Status', badge(job.status), 'status');
      cell(tr, 'Created', when(job.created));
      cell(tr, 'Started', when(job.started));
      cell(tr, 'Ended', when(job.ended));
      cell(tr, 'Started by', job.startedBy || '—');
      const p = el('span');
      p.appendChild(progressBar(job.progress, 'Progress of job ' + job.id));
      p.appendChild(document.createTextNode(' ' + (job.progress || 0) + ' %'));
      cell(tr, 'Progress', p, 'progress-cell');
      cell(tr, 'Resources', resources(job), 'num');
      cell(tr, 'Rate', job.rate === null || job.rate === undefined ? '—' : job.rate + '/s', 'num');
      cell(tr, 'ETA', eta(job));
      cell(tr, 'Errors', errors(job), job.failed || job.errorMessage ? 'err' : '');
      rows.push(tr);
    });
    if (!rows.length) {
      const tr = el('tr');
      const td = el('td', 'No jobs match these filters.', { colspan: '12' });
      tr.appendChild(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    const pages = Math.max(1, data.totalPages);
    $('page-info').textContent = 'Page ' + (data.page + 1) + ' of ' + pages + ' (' + num(data.total) + ' jobs)';
    $('page-prev').disabled = data.page <= 0;
    $('page-next').disabled = data.page + 1 >= pages;
    $('list-updated').textContent = 'Updated ' + when(new Date().toISOString()) + ', refreshes every ' + LIST_POLL_MS / 1000 + ' s';
  }

  async function loadTypes() {
    const result = await api('GET', 'job-types');
    if (result.status !== 200) return;
    const select = $('filter-type');
    const current = select.value;
    select.replaceChildren(el('option', 'Any', { value: '' }));
    result.body.types.forEach((t) => select.appendChild(el('option', t, { value: t })));
    select.value = current;
  }

  // ---- detail

  async function loadDetail() {
    const id = state.jobId;
    const result = await api('GET', 'jobs/' + encodeURIComponent(id));
    if (state.view !== 'detail' || state.jobId !== id) return;
    if (!refused(result)) {
      if (result.status !== 200) {
        showNotice('Could not read job ' + id + ': ' + (result.message || result.status));
      } else {
        showNotice('');
        renderDetail(result.body);
      }
    }
    const ended = state.job && ENDED.includes(state.job.state);
    schedule(loadDetail, ended ? LIST_POLL_MS * 3 : DETAIL_POLL_MS);
  }

  function renderDetail(job) {
    state.job = job;
    $('detail-id').textContent = job.id;
    const dl = $('detail-summary');
    const items = [
      ['Type', job.type + ' (v' + job.version + ')'],
      ['Status', job.status],
      ['batch2 state', job.state + (job.cancelRequested && !ENDED.includes(job.state) ? ' (cancel requested)' : '')],
      ['Created', when(job.created)], ['Started', when(job.started)], ['Ended', when(job.ended)],
      ['Started by', job.startedBy || '—'],
      ['Resources', resources(job)], ['Rate', job.rate === null || job.rate === undefined ? '—' : job.rate + ' resources/s'],
      ['ETA', eta(job)], ['Errors', errors(job)]
    ];
    if (job.restartOf) items.push(['Restart of', job.restartOf]);
    if (job.warnings) items.push(['Warnings', job.warnings]);
    const nodes = [];
    items.forEach(([k, v]) => {
      nodes.push(el('dt', k));
      const dd = el('dd', v);
      if (k === 'Status') { dd.textContent = ''; dd.appendChild(badge(v)); dd.id = 'detail-status'; }
      nodes.push(dd);
    });
    dl.replaceChildren(...nodes);
    $('detail-progress').value = job.progress || 0;
    $('detail-progress-text').textContent = (job.progress || 0) + ' %';

    $('btn-cancel').disabled = !job.canCancel;
    $('btn-restart').disabled = !job.canRestart;
    $('btn-retry').disabled = !job.canRetryFailed;
    $('btn-restart').hidden = !job.module;
    $('btn-retry').hidden = !job.module;

    renderThroughput(job.throughput);
    table($('by-type'), ['Resource type', 'Total', 'Reindexed', 'Failed', 'Skipped', 'Changed'],
      job.byType.map((r) => [r.resourceType, r.total, r.reindexed, r.failed, r.skipped, r.changed]),
      job.module ? 'No counts yet.' : 'batch2 keeps no per-type counts for this job type.');
    table($('by-partition'), ['Partition', 'Total', 'Reindexed', 'Failed', 'Skipped', 'Changed'],
      job.byPartition.map((r) => [r.partition, r.total, r.reindexed, r.failed, r.skipped, r.changed]),
      job.module ? 'No counts yet.' : 'batch2 keeps no per-partition counts for this job type.');
    table($('scopes'), ['Scope', 'Partition', 'Ids loaded', 'Total', 'Reindexed', 'Failed', 'Skipped'],
      job.scopes.map((r) => [r.scope, r.partition || '—', r.loaded ? 'yes' : 'not yet', r.total, r.reindexed, r.failed, r.skipped]),
      job.module ? 'Not planned yet.' : 'Not applicable to this job type.');
    table($('chunks'), ['Step', 'State', 'Chunks', 'First start', 'Last stop', 'Avg seconds per chunk'],
      job.chunks.map((c) => [c.step, c.state, c.count, when(c.firstStart), when(c.lastStop), c.avgSeconds === null ? '—' : c.avgSeconds]),
      'No work chunks (batch2 removes them once a job has ended).');

    const failedTotal = job.module ? job.failed : 0;
    $('errors-info').textContent = job.module
      ? (failedTotal ? num(failedTotal) + ' failed resource(s)' + (job.errorsShown < failedTotal ? '; the first ' + job.errorsShown + ' are listed, the downloads have all.' : '.') : 'No failed resources.')
      : (job.errorMessage ? 'batch2 error: ' + job.errorMessage : 'No errors reported by batch2.');
    $('dl-csv').href = 'api/jobs/' + encodeURIComponent(job.id) + '/errors.csv';
    $('dl-ndjson').href = 'api/jobs/' + encodeURIComponent(job.id) + '/errors.ndjson';
    $('dl-csv').parentElement.hidden = !job.module || !failedTotal;
    table($('errors-table'), ['Resource', 'Message', 'Time'],
      job.errors.map((e) => [e.resource || '(job)', e.message, when(e.time)]), null);

    $('detail-params').textContent = JSON.stringify(job.parameters, null, 2);
    $('report-title').hidden = !job.report;
    $('detail-report').hidden = !job.report;
    $('detail-report').textContent = job.report || '';
  }

  function table(t, headers, rows, emptyText) {
    const head = el('thead');
    const hr = el('tr');
    headers.forEach((h, i) => hr.appendChild(el('th', h, { scope: 'col', class: i ? 'num' : '' })));
    head.appendChild(hr);
    const body = el('tbody');
    rows.forEach((r) => {
      const tr = el('tr');
      r.forEach((v, i) => tr.appendChild(el('td', v === null || v === undefined ? '—' : typeof v === 'number' ? num(v) : v,
        { 'data-label': headers[i], class: typeof v === 'number' ? 'num' : '' })));
      body.appendChild(tr);
    });
    if (!rows.length && emptyText) {
      const tr = el('tr');
      tr.appendChild(el('td', emptyText, { colspan: String(headers.length) }));
      body.appendChild(tr);
    }
    t.hidden = !rows.length && !emptyText;
    t.replaceChildren(head, body);
  }

  const SVG = 'http://www.w3.org/2000/svg';

  function renderThroughput(tp) {
    const box = $('throughput');
    if (!tp || !tp.ratePerSecond.length) {
      box.replaceChildren(el('p', 'No throughput data (the module records it per processed batch of its own jobs).', { class: 'hint' }));
      return;
    }
    const rates = tp.ratePerSecond;
    const max = Math.max(...rates, 1);
    const w = 600, h = 80;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (h + 4));
    svg.setAttribute('role', 'img');
    const avg = rates.reduce((a, b) => a + b, 0) / rates.length;
    const label = 'Resources per second over ' + duration(tp.bucketSeconds * rates.length) + ': peak ' + max.toFixed(1) + ', average ' + avg.toFixed(1);
    svg.setAttribute('aria-label', label);
    const title = document.createElementNS(SVG, 'title');
    title.textContent = label;
    svg.appendChild(title);
    const step = rates.length > 1 ? w / (rates.length - 1) : w;
    const pts = rates.map((r, i) => (rates.length > 1 ? i * step : w / 2).toFixed(1) + ',' + (h + 2 - (r / max) * h).toFixed(1));
    const area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('class', 'area');
    area.setAttribute('points', '0,' + (h + 2) + ' ' + pts.join(' ') + ' ' + w + ',' + (h + 2));
    svg.appendChild(area);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.appendChild(line);
    box.replaceChildren(svg, el('p', label + ' (' + tp.batches + ' batches, one point per ' + tp.bucketSeconds + ' s).', { class: 'hint' }));
  }

  // ---------------------------------------------------------------- actions

  function confirmDialog(text) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    return new Promise((resolve) => {
      const done = (answer) => {
        $('confirm-yes').onclick = null;
        $('confirm-no').onclick = null;
        dialog.onclose = null;
        if (dialog.open) dialog.close();
        resolve(answer);
      };
      $('confirm-yes').onclick = (e) => { e.preventDefault(); done(true); };
      $('confirm-no').onclick = (e) => { e.preventDefault(); done(false); };
      dialog.onclose = () => done(false);
      dialog.showModal();
      $('confirm-no').focus();
    });
  }

  function answer(target, ok, text) {
    target.className = 'answer ' + (ok ? 'ok' : 'bad');
    target.textContent = text;
  }

  async function jobAction(action, question, verb) {
    const job = state.job;
    if (!job || !(await confirmDialog(question + ' ' + job.type + ' job ' + job.id + '?'))) return;
    const out = $('action-answer');
    const result = await api('POST', 'jobs/' + encodeURIComponent(job.id) + '/' + action);
    if (result.status >= 200 && result.status < 300) {
      if (result.body.id && result.body.id !== job.id) {
        answer(out, true, verb + ': the server started job ' + result.body.id + (result.body.reused ? ' (an identical job was already running)' : '') + '. ');
        const link = el('a', 'Open job ' + result.body.id, { href: '#/job/' + encodeURIComponent(result.body.id), id: 'new-job-link' });
        out.appendChild(link);
      } else {
        answer(out, true, verb + ': the server answered ' + result.status + ', status ' + (result.body.status || result.body.state) + '.');
      }
      loadDetail();
    } else {
      answer(out, false, 'The server refused (' + result.status + '): ' + (result.message || 'no message'));
    }
  }

  function formValues() {
    const form = {};
    $('start-form').querySelectorAll('input, select, textarea').forEach((f) => {
      const v = f.value.trim();
      if (!v) return;
      if (f.dataset.list === 'lines') form[f.name] = v.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
      else if (f.dataset.list === 'comma') form[f.name] = v.split(',').map((s) => s.trim()).filter(Boolean);
      else form[f.name] = v;
    });
    return form;
  }

  function clearFieldErrors() {
    $('start-form').querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    $('start-form').querySelectorAll('[aria-invalid]').forEach((f) => f.removeAttribute('aria-invalid'));
  }

  async function startJob(event) {
    event.preventDefault();
    clearFieldErrors();
    const out = $('start-answer');
    out.textContent = '';
    const form = formValues();
    const summary = Object.keys(form).length
      ? Object.keys(form).map((k) => k + '=' + [].concat(form[k]).join(',')).join('; ')
      : 'every resource type, server defaults';
    if (!(await confirmDialog('Start a reindex job with ' + summary + '?'))) return;
    const result = await api('POST', 'jobs', form);
    if (result.status === 201) {
      answer(out, true, 'The server ' + (result.body.reused ? 'returned the identical running job ' : 'started job ') + result.body.id + '. ');
      out.appendChild(el('a', 'Open job ' + result.body.id, { href: '#/job/' + encodeURIComponent(result.body.id), id: 'started-job-link' }));
      return;
    }
    if (refused(result)) return;
    let parameter = outcomeParameter(result.body);
    if (parameter === 'batchSize') parameter = 'maximumNumberOfResourcesPerQuery';
    if (parameter === 'targetResourceTypes') parameter = 'resourceType';
    const field = parameter && $('f-' + parameter);
    const message = result.message || ('The server answered ' + result.status);
    if (field) {
      $('err-' + parameter).textContent = message;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    } else {
      $('start-error').textContent = message;
    }
    answer(out, false, 'Not started (' + result.status + ').');
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const v = $('token').value.trim();
      if (v) sessionStorage.setItem(TOKEN_KEY, v); else sessionStorage.removeItem(TOKEN_KEY);
      loadTypes();
      route();
    });
    $('token-clear').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      $('token').value = '';
      route();
    });
    $('filter-state').addEventListener('change', (e) => { state.stateFilter = e.target.value; state.page = 0; loadList(); });
    $('filter-type').addEventListener('change', (e) => { state.typeFilter = e.target.value; state.page = 0; loadList(); });
    $('page-size').addEventListener('change', (e) => { state.size = Number(e.target.value); state.page = 0; loadList(); });
    $('filters').addEventListener('submit', (e) => e.preventDefault());
    $('page-prev').addEventListener('click', () => { if (state.page > 0) { state.page--; loadList(); } });
    $('page-next').addEventListener('click', () => { state.page++; loadList(); });
    $('btn-cancel').addEventListener('click', () => jobAction('$cancel', 'Cancel', 'Cancel requested'));
    $('btn-restart').addEventListener('click', () => jobAction('$restart', 'Restart (failed resources and unfinished work of)', 'Restarted'));
    $('btn-retry').addEventListener('click', () => jobAction('$retry-failed', 'Retry only the failed resources of', 'Retry started'));
    $('start-form').addEventListener('submit', startJob);
    ['csv', 'ndjson'].forEach((kind) => $('dl-' + kind).addEventListener('click', (e) => {
      e.preventDefault();
      if (state.job) download('jobs/' + encodeURIComponent(state.job.id) + '/errors.' + kind);
    }));
    window.addEventListener('hashchange', route);
    loadTypes();
    route();
  }

  document.addEventListener('DOMContentLoaded', init);
})();
