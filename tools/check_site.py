#!/usr/bin/env python
"""Check the built documentation site (development tooling: not part of the installed package).

Two checks, each usable alone:

- `static_check`: pure Python, no browser. Every name in every module's `__all__` and every public method of every
  exported class has an API entry (a heading with that id) on its module's page; no page (nor the README) shows
  warning text or an absolute path of this machine.
- `browser_check`: opens every page in headless Chromium through the DevTools protocol (needs `chromium` and the
  `websocket-client` package of the `dev` extra): console errors, requests leaving the machine, broken links,
  images that do not load, and what the search box finds.

    python tools/check_site.py _docs                 # both checks (the browser one skipped without Chromium)
    python tools/check_site.py _docs --no-browser    # the static check only
    python tools/check_site.py _docs --strict        # exit 1 when an API entry or a parameter table is missing (else only reported)
"""
from __future__ import annotations
import argparse, html.parser, importlib, inspect, json, re, shutil, sys, tempfile
from pathlib import Path

# ---------------------------------------------------------------------------------------------------------------
# What must have an entry: worked out here from the modules themselves, independently of the site builder

def _default_exp(nb_path) -> str | None:
    "The module a notebook exports (`#| default_exp name`), or None."
    for c in json.loads(Path(nb_path).read_text())['cells']:
        m = re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(c['source'])) if c['cell_type'] == 'code' else None
        if m: return m.group(1)
    return None

def page_name(nb_path) -> str:
    "The page of a notebook as nbdev names it (`15_compress.ipynb` -> `compress`)."
    return re.sub(r'^\d+[a-z]?_', '', Path(nb_path).stem)

def _exported(cls) -> bool:
    mod = sys.modules.get(cls.__module__)
    return cls.__name__ in getattr(mod, '__all__', ())

def public_methods(cls) -> list[str]:
    """The public methods (functions, class and static methods, properties; names not starting with `_`) that `cls`
    defines, patched-on ones included, or inherits from a class of the same library that no module exports."""
    lib, out = cls.__module__.split('.')[0], []
    for b in cls.__mro__:
        if b is not cls and (b.__module__.split('.')[0] != lib or _exported(b)): continue
        for n, v in vars(b).items():
            if n.startswith('_') or n in out: continue
            if inspect.isfunction(v) or isinstance(v, (staticmethod, classmethod, property)): out.append(n)
    return out

def expected_entries(module) -> list[str]:
    "Every name in `module.__all__`, and `Class.method` for each public method of each class the module defines and exports."
    names = list(getattr(module, '__all__', []))
    for n in list(names):
        obj = getattr(module, n, None)
        if inspect.isclass(obj) and obj.__module__ == module.__name__: names += [f'{n}.{m}' for m in public_methods(obj)]
    return names

# ---------------------------------------------------------------------------------------------------------------
# What the built pages hold

class _Headings(html.parser.HTMLParser):
    "The ids of a page's headings, and those the builder marked as generated (`api-auto`: no `show_doc` in the notebook)."
    def __init__(self):
        super().__init__(); self.ids, self.auto = set(), set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r'h[1-6]', tag) and a.get('id'):
            self.ids.add(a['id'])
            if 'api-auto' in (a.get('class') or '').split(): self.auto.add(a['id'])

def documented_params(obj) -> list[str]:
    "The named parameters of `obj` a reader must see documented (not self/cls, not *args/**kwargs); [] for non-callables."
    target = obj.fget if isinstance(obj, property) else obj
    if not callable(target): return []
    if inspect.isclass(target):   # a class whose constructor comes from another library (a fastai DataLoader or Callback) documents it there
        owner = next((c for c in target.__mro__ if '__init__' in vars(c) or '__signature__' in vars(c)), object)
        if owner.__module__.split('.')[0] != target.__module__.split('.')[0]: return []
    try: sig = inspect.signature(target)
    except (TypeError, ValueError): return []
    return [n for n, q in sig.parameters.items() if n not in ('self', 'cls') and q.kind not in (q.VAR_POSITIONAL, q.VAR_KEYWORD)]

def entry_sections(page_html:str) -> dict[str, str]:
    "The HTML of each API entry of a page (from its heading to the next heading of the same or a higher level), by id."
    heads = list(re.finditer(r'<h([2-4])[^>]*\bid="([^"]+)"', page_html))
    out = {}
    for i, m in enumerate(heads):
        end = next((h.start() for h in heads[i + 1:] if int(h.group(1)) <= int(m.group(1))), len(page_html))
        nxt = heads[i + 1].start() if i + 1 < len(heads) else len(page_html)
        out[m.group(2)] = page_html[m.start():min(end, nxt)]
    return out

def entry_ids(page_html:str) -> tuple[set, set]:
    "(ids of all headings, ids of generated API entries) of one HTML page."
    p = _Headings(); p.feed(page_html); return p.ids, p.auto

_WARNING = re.compile(r'\b\w*Warning:')

def local_roots(root=None) -> list[str]:
    "Absolute path prefixes of this machine that no page may show."
    roots = {'/work/', '/root/', '/tmp/', '/home/', '/Users/', str(Path.home()) + '/', tempfile.gettempdir() + '/',
             sys.prefix + '/', sys.base_prefix + '/'}
    if root is not None: roots.add(str(Path(root).resolve()) + '/')
    return sorted(r for r in roots if r != '//')

def leaks(text:str, roots:list[str], exempt=frozenset()) -> list[str]:
    "The warning texts and local paths in `text`, each with its line; lines in `exempt` (code the notebooks show on purpose) are skipped."
    found = []
    for line in text.splitlines():
        if line.strip() in exempt: continue
        if _WARNING.search(line) or any(re.search(rf'(?<![\w.~-]){re.escape(r)}', line) for r in roots): found.append(line.strip()[:200])
    return found

def source_lines(root) -> set[str]:
    "Every line of the notebooks' code cells: code a page shows on purpose (a test's `Path('/tmp/x')`), not a stored output."
    return {l.strip() for nb in Path(root).glob('nbs/*.ipynb') for c in json.loads(nb.read_text())['cells']
            if c['cell_type'] == 'code' for l in ''.join(c['source']).splitlines() if l.strip()}

def page_text(path) -> str:
    "What a reader reads on a page: an HTML page's text without its tags, a Markdown file as it is."
    import html
    t = Path(path).read_text()
    return html.unescape(re.sub(r'<[^>]+>', '', t)) if path.name.endswith('.html') else t

def static_check(site, root='.', lib:str='cards_nb', readme=None) -> dict:
    """Check the built `site` of the project at `root` with no browser: `missing` maps each page to the names
    that have no API entry there; `leaks` lists warning text and local paths by page; `checked` counts the names
    looked for, `auto` those whose entry the builder generated (no `show_doc` in the notebook)."""
    site, root = Path(site), Path(root).resolve()
    if str(root) not in sys.path: sys.path.insert(0, str(root))
    report = dict(checked=0, auto=0, missing={}, leaks={}, pages=0, no_table={}, no_source={}, with_params=0)
    for nb_path in sorted((root/'nbs').glob('*.ipynb')):
        exp, name = _default_exp(nb_path), page_name(nb_path)
        page = site/f'{name}.html'
        if not exp: continue
        want = expected_entries(importlib.import_module(f'{lib}.{exp}'))
        ids, auto = entry_ids(page.read_text()) if page.exists() else (set(), set())
        report['checked'] += len(want); report['auto'] += len(auto & set(want))
        if missing := [n for n in want if n not in ids]: report['missing'][f'{name}.html'] = missing
        module, sections = importlib.import_module(f'{lib}.{exp}'), entry_sections(page.read_text()) if page.exists() else {}
        for n in want:   # an entry with parameters shows a table of them, and every entry links to its source
            obj = module
            for part in n.split('.'): obj = getattr(obj, part, None)
            sec = sections.get(n)
            if sec is None or obj is None: continue
            if documented_params(obj):
                report['with_params'] += 1
                if '<th>parameter</th>' not in sec: report['no_table'].setdefault(f'{name}.html', []).append(n)
            if callable(obj) and 'href="https://github.com/' not in sec: report['no_source'].setdefault(f'{name}.html', []).append(n)
    report.update(cross_links=0, broken_links={}, math={})
    pages_html = {p.name: p.read_text() for p in sorted(site.glob('*.html')) if p.name != '404.html'}
    heading_ids = {n: entry_ids(t)[0] for n, t in pages_html.items()}
    for n, t in pages_html.items():
        for target, anchor in re.findall(r'<a href="([\w-]*\.html)?#([^"]+)"><code>', t):   # a backticked API name, linked
            report['cross_links'] += 1
            if anchor not in heading_ids.get(target or n, ()): report['broken_links'].setdefault(n, []).append(f"{target or n}#{anchor}")
        found = [f"inline math outside its paragraph: ...{t[m.start():m.start() + 60]!r}" for m in re.finditer(r'</p>\s*<math[^>]*display="inline"', t)]
        found += [f"TeX printed literally: {m.group(1)}" for m in re.finditer(r'<m[io]>(\\[A-Za-z]+)</m[io]>', t)]
        if found: report['math'][n] = found
    roots, exempt = local_roots(root), source_lines(root)
    files = sorted(p for p in site.glob('*.html*') if p.name != '404.html') + ([Path(readme)] if readme else [])
    for f in files:
        report['pages'] += 1
        if found := leaks(page_text(f), roots, exempt): report['leaks'][f.name] = found
    return report

# ---------------------------------------------------------------------------------------------------------------
# The browser check

def find_chromium() -> str | None:
    "The headless browser the check uses (Debian's `chromium`, or Chrome), or None."
    return next((p for n in ('chromium', 'chromium-browser', 'google-chrome', 'chrome') if (p := shutil.which(n))), None)

def _free_port() -> int:
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

class CDP:
    "A minimal Chrome DevTools Protocol client: commands, and the events that arrive meanwhile."
    def __init__(self, ws_url):
        import websocket   # websocket-client, in the `dev` extra
        self.ws, self.n, self.events = websocket.create_connection(ws_url, timeout=30, suppress_origin=True), 0, []
    def __call__(self, method, **params):
        self.n += 1; self.ws.send(json.dumps(dict(id=self.n, method=method, params=params)))
        while True:
            m = json.loads(self.ws.recv())
            if m.get('id') == self.n:
                if 'error' in m: raise RuntimeError(f"{method}: {m['error']}")
                return m.get('result', {})
            self.events.append(m)
    def wait(self, event, timeout=30):
        import time
        end = time.time() + timeout
        while time.time() < end:
            if any(e.get('method') == event for e in self.events): return True
            self.ws.settimeout(max(0.1, end - time.time()))
            try: self.events.append(json.loads(self.ws.recv()))
            except Exception: break
        return False
    def js(self, expr):
        return self('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=True).get('result', {}).get('value')

_PAGE_FACTS = """(() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  images: [...document.querySelectorAll('img')].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]),
  title: document.title}))()"""

_SEARCH = """new Promise(done => {
  const input = document.querySelector('input.md-search__input');
  input.value = %s; input.dispatchEvent(new Event('focus')); input.dispatchEvent(new Event('input', {bubbles: true}));
  let n = 0; const poll = () => { const r = document.querySelectorAll('.md-search-result__item');
    if (r.length || ++n > 100) done([...r].map(x => x.querySelector('a') && x.querySelector('a').getAttribute('href'))); else setTimeout(poll, 100); };
  poll(); })"""

def _page_events(report, page, base, events):
    "Record one page's console errors, requests leaving the machine and failed loads."
    for e in events:
        m, p = e.get('method'), e.get('params', {})
        if m == 'Network.requestWillBeSent' and not p['request']['url'].startswith((base, 'data:', 'blob:')): report['external'].add(p['request']['url'])
        if m == 'Network.loadingFailed' and not p.get('canceled'): report['failed'].add(f"{page}: {p.get('errorText')}")
        if m == 'Runtime.exceptionThrown': report['console'].append(f"{page}: {p['exceptionDetails'].get('text')}")
        if m == 'Runtime.consoleAPICalled' and p.get('type') == 'error': report['console'].append(f"{page}: {p.get('args')}")
        if m == 'Log.entryAdded' and p['entry'].get('level') == 'error': report['console'].append(f"{page}: {p['entry'].get('text')}")

def browser_check(site, browser:str | None=None, query:str='compress') -> dict:
    "Open every page of the built `site` in headless Chromium (served on localhost): console errors, requests leaving the machine, broken links, missing images, and what a search for `query` finds."
    import http.server, functools, threading, subprocess, time, urllib.request, urllib.parse
    site, browser = Path(site), browser or find_chromium()
    if browser is None: raise RuntimeError("No Chromium found: install Debian's `chromium` (apt install chromium) to check the site.")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base, port, profile = f'http://127.0.0.1:{server.server_address[1]}/', _free_port(), tempfile.mkdtemp()
    proc = subprocess.Popen([browser, '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', f'--remote-debugging-port={port}',
                             f'--user-data-dir={profile}', 'about:blank'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = dict(pages={}, external=set(), failed=set(), console=[], broken_links=set(), missing_images=set(), search=[])
    try:
        for _ in range(100):
            try: targets = json.loads(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=2).read()); break
            except Exception: time.sleep(0.2)
        else: raise RuntimeError(f"{browser} did not start its DevTools endpoint.")
        cdp = CDP(next(t for t in targets if t.get('type') == 'page')['webSocketDebuggerUrl'])
        for m in ('Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'): cdp(m)
        for page in sorted(p.name for p in site.glob('*.html') if p.name != '404.html'):
            cdp.events.clear(); cdp('Page.navigate', url=base + page); cdp.wait('Page.loadEventFired'); time.sleep(0.3); cdp.js('1')
            facts = cdp.js(_PAGE_FACTS) or {}
            report['pages'][page] = facts.get('title')
            _page_events(report, page, base, cdp.events)
            for href in facts.get('links', []):
                u = urllib.parse.urlparse(href)
                if u.scheme or href.startswith('#') or not u.path: continue
                if not (site/urllib.parse.unquote(u.path)).exists(): report['broken_links'].add(f"{page} -> {href}")
            report['missing_images'] |= {f"{page}: {src}" for src, ok in facts.get('images', []) if not ok}
        cdp.events.clear(); cdp('Page.navigate', url=base + 'index.html'); cdp.wait('Page.loadEventFired')
        report['search'] = cdp.js(_SEARCH % json.dumps(query)) or []
        cdp.ws.close()
    finally:
        proc.terminate(); proc.wait(10); server.shutdown(); shutil.rmtree(profile, ignore_errors=True)
    return report

# ---------------------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('site', nargs='?', default='_docs', help='the built site (default: _docs)')
    ap.add_argument('--root', default='.', help='the project root (default: .)')
    ap.add_argument('--readme', default=None, help='also check this README for warnings and local paths')
    ap.add_argument('--strict', action='store_true', help='exit 1 when an API entry, or the parameter table of an entry with parameters, is missing (else only reported)')
    ap.add_argument('--no-browser', action='store_true', help='skip the Chromium check')
    ap.add_argument('--query', default='compress', help='what the browser check searches for')
    a = ap.parse_args(argv)
    r, bad = static_check(a.site, a.root, readme=a.readme), False
    n_missing = sum(map(len, r['missing'].values()))
    print(f"API entries: {r['checked']} names checked, {r['checked'] - n_missing} present "
          f"({r['auto']} generated: no show_doc in the notebook), {n_missing} missing")
    for page, names in r['missing'].items(): print(f"  missing on {page}: {', '.join(names)}")
    n_table, n_source = sum(map(len, r['no_table'].values())), sum(map(len, r['no_source'].values()))
    print(f"parameter tables: {r['with_params'] - n_table} of {r['with_params']} entries with parameters have one; {n_source} entries without a source link")
    for page, names in r['no_table'].items(): print(f"  no parameter table on {page}: {', '.join(names[:12])}{' ...' if len(names) > 12 else ''}")
    for page, names in r['no_source'].items(): print(f"  no source link on {page}: {', '.join(names[:12])}{' ...' if len(names) > 12 else ''}")
    print(f"warnings and local paths: {r['pages']} pages checked, {len(r['leaks'])} with leaks")
    for page, found in r['leaks'].items():
        for f in found[:5]: print(f"  {page}: {f}")
    n_broken = sum(map(len, r['broken_links'].values()))
    print(f"cross-links: {r['cross_links']} links from backticked names to API entries, {n_broken} to no entry")
    for page, links in r['broken_links'].items(): print(f"  broken on {page}: {', '.join(links[:8])}")
    print(f"math: {sum(map(len, r['math'].values()))} problems (inline math breaking a paragraph, TeX printed literally)")
    for page, found in r['math'].items():
        for f in found[:5]: print(f"  {page}: {f}")
    bad |= bool(r['leaks']) or bool(n_broken) or bool(r['math']) or (a.strict and (n_missing > 0 or n_table > 0))
    if a.no_browser: pass
    elif find_chromium() is None: print("Chromium is not installed (apt install chromium): the browser check is skipped.")
    else:
        b = browser_check(a.site, query=a.query)
        problems = {k: sorted(b[k]) for k in ('console', 'external', 'failed', 'broken_links', 'missing_images') if b[k]}
        print(f"browser: {len(b['pages'])} pages opened in Chromium; search {a.query!r} finds {len(b['search'])} results")
        for k, v in problems.items(): print(f"  {k}: {v[:10]}")
        bad |= bool(problems) or not b['search']
    print('site check:', 'FAILED' if bad else 'passed')
    return int(bad)

if __name__ == '__main__': sys.exit(main())
