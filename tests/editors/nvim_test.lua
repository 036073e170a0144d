-- Drives Neovim (headless) with editors/nvim against the real kairos.
-- Environment: KAIROS (binary), WS (a copy of tests/data/editor-ws),
-- PERSONAL (a copy of tests/data/editor-personal: the personal store),
-- OUT (result file: one "ok NAME", "FAIL NAME: WHY" or "skip NAME: WHY"
-- per line). The steps that need a server feature (diagnostics, quick
-- fix, memory commands, dream) are skipped only while the server does
-- not advertise that feature; once it does, they must pass.
local KAIROS, WS, PERSONAL, OUT = os.getenv('KAIROS'), os.getenv('WS'), os.getenv('PERSONAL'), os.getenv('OUT')
local results = {}
local function record(line)
  table.insert(results, line)
  io.stderr:write(line .. '\n')
end
local function finish()
  local f = assert(io.open(OUT, 'w'))
  f:write(table.concat(results, '\n') .. '\n')
  f:close()
  vim.cmd('qa!')
end

local function wait(ms, cond)
  return vim.wait(ms, cond, 20)
end

-- Runs one step; a failing step records FAIL with its message.
local function step(name, fn)
  local t0 = vim.loop.hrtime()
  local okk, err = xpcall(fn, debug.traceback)
  local took = (' (%.1f s)'):format((vim.loop.hrtime() - t0) / 1e9)
  if okk then
    record('ok ' .. name .. took)
  else
    record('FAIL ' .. name .. took .. ': ' .. tostring(err))
  end
  return okk
end
local function skip(name, why)
  record('skip ' .. name .. ': ' .. why)
end
local function check(cond, msg)
  if not cond then
    error(msg or 'check failed', 2)
  end
end

-- What the editor shows: messages, progress, notifications.
local shown, progress, notes = {}, {}, {}
local sm = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(e, r, c, cf)
  table.insert(shown, r)
  return sm(e, r, c, cf)
end
local pg = vim.lsp.handlers['$/progress']
vim.lsp.handlers['$/progress'] = function(e, r, c, cf)
  table.insert(progress, r)
  return pg(e, r, c, cf)
end
vim.notify = function(msg)
  table.insert(notes, msg)
end
local function shown_matching(pat)
  local out = {}
  for _, r in ipairs(shown) do
    if r.message:find(pat, 1, true) then
      table.insert(out, r)
    end
  end
  return out
end
local function noted(pat)
  for _, n in ipairs(notes) do
    if n:find(pat) then
      return n
    end
  end
end

local exit_code, exit_signal
local k = require('kairos')
k.setup({
  cmd = { KAIROS, 'lsp' },
  init_options = {
    memoryDir = PERSONAL,
    tick = { minInactivityMs = 200 },
    -- No dream from the server's own idle clock during the test; the
    -- dream step lowers idleMs to 1000 first.
    dream = { idleMs = 3600000, minHours = 0, minSignals = 0 },
  },
  idle_ms = 400,
  on_exit = function(code, signal)
    exit_code, exit_signal = code, signal
  end,
})

local main_c = WS .. '/src/main.c'
local buf, client
local caps = {}
local commands = {}

local function kairos_diags(lnum)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'kairos' and (lnum == nil or d.lnum == lnum) then
      table.insert(out, d)
    end
  end
  return out
end

local function request(method, params)
  local r = client.request_sync(method, params, 5000, buf)
  check(r and not r.err, method .. ' failed: ' .. vim.inspect(r))
  return r.result
end

-- kairos.memories through the module, waited for.
local function list_memories()
  local list
  k.memories(function(_, l)
    list = l
  end)
  check(wait(5000, function()
    return list ~= nil
  end), 'kairos.memories did not answer')
  return list
end

local function buffer_text()
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
end

local function main()
  step('lsp/kairos.lua is a Neovim 0.11 config (vim.lsp.enable)', function()
    local files = vim.api.nvim_get_runtime_file('lsp/kairos.lua', true)
    check(#files == 1, 'lsp/kairos.lua on the runtimepath: ' .. vim.inspect(files))
    local cfg = dofile(files[1])
    check(vim.deep_equal(cfg.cmd, { 'kairos', 'lsp' }), 'cmd ' .. vim.inspect(cfg.cmd))
    check(cfg.filetypes == nil, 'filetypes should be nil (all)')
    check(vim.tbl_contains(cfg.root_markers, '.kairos') and vim.tbl_contains(cfg.root_markers, '.git'), 'root_markers')
    check(type(cfg.init_options) == 'table' and type(cfg.settings) == 'table', 'init_options/settings')
    check(type(cfg.on_attach) == 'function' and type(cfg.handlers['$/progress']) == 'function', 'on_attach/handlers')
  end)

  local started = step('kairos starts for a file of the workspace and attaches', function()
    vim.cmd('edit ' .. vim.fn.fnameescape(main_c))
    buf = vim.api.nvim_get_current_buf()
    check(wait(10000, function()
      client = k.client(buf)
      return client ~= nil and client.initialized and vim.lsp.buf_is_attached(buf, client.id)
    end), 'no kairos client attached to ' .. main_c)
    check(client.config.root_dir == WS, 'root_dir ' .. tostring(client.config.root_dir) .. ' is not ' .. WS)
    caps = client.server_capabilities or {}
    for _, c in ipairs((caps.executeCommandProvider or {}).commands or {}) do
      commands[c] = true
    end
  end)
  if not started then
    return
  end

  step('the server holds the buffer text; utf-16 columns map to the right byte', function()
    -- Line 7 is "\t/* é😀 */ strcpy(dst, src);": 's' is utf-16 column 11, byte 14.
    local r
    check(wait(5000, function()
      r = client.request_sync('kairos/documentState', { textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = 6, character = 11 } }, 2000, buf)
      return r and r.result ~= nil
    end), 'kairos/documentState failed: ' .. vim.inspect(r))
    check(r.result.text == buffer_text(), 'server text differs: ' .. vim.inspect(r.result.text))
    check(r.result.position.byte == 14, 'utf-16 column 11 is byte ' .. tostring(r.result.position.byte))
    -- An edit goes through incremental sync.
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '/* 😀 edited */' })
    check(wait(5000, function()
      local s = client.request_sync('kairos/documentState', { textDocument = { uri = vim.uri_from_bufnr(buf) } },
        2000, buf)
      return s and s.result and s.result.text == buffer_text()
    end), 'the server did not follow an edit')
  end)

  step(':KairosRemember turns the selection into text, uri and a utf-16 range', function()
    local got
    local orig = k.remember
    k.remember = function(args)
      got = args
    end
    local okk, err = pcall(function()
      vim.cmd('1,1KairosRemember!')
      check(got and got.text == '#include <string.h>', 'linewise: ' .. vim.inspect(got))
      check(got.store == 'team', 'bang is the team store: ' .. vim.inspect(got))
      vim.api.nvim_win_set_cursor(0, { 7, 14 })
      vim.cmd([[execute "normal! v5l\<Esc>"]])
      vim.cmd("'<,'>KairosRemember")
      check(got.text == 'strcpy', 'text ' .. vim.inspect(got.text))
      check(got.uri == vim.uri_from_bufnr(buf), 'uri ' .. tostring(got.uri))
      check(got.store == nil, 'store ' .. tostring(got.store))
      check(vim.deep_equal(got.range, { start = { line = 6, character = 11 }, ['end'] = { line = 6, character = 17 } }),
        'range ' .. vim.inspect(got.range))
    end)
    k.remember = orig
    check(okk, err)
  end)

  if caps.codeActionProvider then
    step('the kairos diagnostic appears at the right place', function()
      check(wait(10000, function()
        return #kairos_diags(6) > 0
      end), 'no kairos diagnostic on line 7; got ' .. vim.inspect(vim.diagnostic.get(buf)))
      local d = kairos_diags(6)[1]
      -- Neovim converts the server's utf-16 column to a byte column.
      check(d.col == 14, 'diagnostic starts at byte ' .. d.col .. ', expected 14 (utf-16 column 11)')
      check(d.end_col == 21, 'diagnostic ends at byte ' .. tostring(d.end_col) .. ', expected 21')
      local lsp = (d.user_data or {}).lsp or {}
      check(lsp.code == 'no-strcpy' or d.code == 'no-strcpy', 'code is not the memory name: ' .. vim.inspect(d))
    end)

    if commands['kairos.trust'] then
      step('the untrusted team store: the message says so once, and no quick fix is offered', function()
        local msgs = shown_matching('not trusted')
        check(#msgs == 1, 'one message about trust: ' .. vim.inspect(shown))
        check(msgs[1].message:find(':KairosTrust', 1, true), 'the message names :KairosTrust: ' .. msgs[1].message)
        local acts = request('textDocument/codeAction', { textDocument = { uri = vim.uri_from_bufnr(buf) },
          range = { start = { line = 6, character = 11 }, ['end'] = { line = 6, character = 18 } },
          context = { diagnostics = {} } })
        for _, a in ipairs(acts or {}) do
          check(not (a.kind == 'quickfix' and a.title:find('strlcpy', 1, true)), 'a quick fix: ' .. vim.inspect(acts))
        end
        check(#kairos_diags(6) == 1, 'the diagnostic stays')
      end)
      step(':KairosTrust trusts the workspace', function()
        vim.cmd('KairosTrust')
        check(wait(5000, function()
          return noted('workspace trusted') ~= nil
        end), 'no "workspace trusted" notification; notes: ' .. vim.inspect(notes))
      end)
    else
      skip('workspace trust', 'server does not advertise kairos.trust yet')
    end

    step('the quick fix edits the buffer and the diagnostic goes away', function()
      vim.api.nvim_win_set_cursor(0, { 7, 14 })
      local titles = {}
      local orig = vim.ui.select
      vim.ui.select = function(items, opts, on_choice)
        for _, it in ipairs(items) do
          local a = it[2]
          table.insert(titles, a.title)
          if a.kind == 'quickfix' and a.title:find('strlcpy', 1, true) then
            return on_choice(it)
          end
        end
        on_choice(nil)
      end
      vim.lsp.buf.code_action({ only = { 'quickfix' } })
      local want = '\t/* é😀 */ strlcpy(dst, src);'
      local okk = wait(5000, function()
        return vim.api.nvim_buf_get_lines(buf, 6, 7, false)[1] == want
      end)
      vim.ui.select = orig
      check(okk, 'line 7 is ' .. vim.inspect(vim.api.nvim_buf_get_lines(buf, 6, 7, false)[1]) .. '; actions: ' ..
        vim.inspect(titles))
      check(wait(5000, function()
        return #kairos_diags(6) == 0
      end), 'the diagnostic stayed after the fix')
    end)
  else
    skip('diagnostic and quick fix', 'server advertises no codeActionProvider yet')
  end

  if commands['kairos.remember'] and commands['kairos.memories'] and commands['kairos.undo'] then
    step(':KairosRemember remembers the visual selection; :KairosUndo takes it back', function()
      vim.api.nvim_win_set_cursor(0, { 7, 14 })
      vim.cmd([[execute "normal! v6l\<Esc>"]])
      vim.cmd("'<,'>KairosRemember")
      check(wait(5000, function()
        return noted('remembered') ~= nil
      end), 'no "remembered" notification; notes: ' .. vim.inspect(notes))
      local name = noted('remembered'):match('remembered (%S+)')
      local list = list_memories()
      local found
      for _, m in ipairs(list) do
        if m.name == name then
          found = m
        end
      end
      check(found, name .. ' is not listed: ' .. vim.inspect(list))
      local f = io.open(vim.uri_to_fname(found.uri))
      local text = f and f:read('*a') or ''
      if f then
        f:close()
      end
      check(text:find('strlcpy', 1, true), 'the memory file does not hold the selection: ' .. text)
      vim.cmd('KairosUndo')
      check(wait(5000, function()
        return noted('reverted') ~= nil
      end), 'no "reverted" notification')
      for _, m in ipairs(list_memories()) do
        check(m.name ~= name, name .. ' is still listed after undo')
      end
    end)
  else
    skip(':KairosRemember / :KairosUndo', 'server does not advertise kairos.remember/memories/undo yet')
  end

  if commands['kairos.memories'] then
    step(':KairosMemories lists the team rule and opens it', function()
      local seen
      local orig = vim.ui.select
      vim.ui.select = function(items, opts, on_choice)
        seen = items
        for _, m in ipairs(items) do
          if m.name == 'no-strcpy' then
            return on_choice(m)
          end
        end
        on_choice(nil)
      end
      vim.cmd('KairosMemories')
      local okk = wait(5000, function()
        return vim.api.nvim_buf_get_name(0):match('no%-strcpy%.md$') ~= nil
      end)
      vim.ui.select = orig
      check(okk, 'no-strcpy.md was not opened; listed: ' .. vim.inspect(seen))
      vim.cmd('buffer ' .. buf)
    end)
  else
    skip(':KairosMemories', 'server does not advertise kairos.memories yet')
  end

  -- The server's own idle clock is off for the test (dream.idleMs is an
  -- hour): the first kairos/idle, sent on FocusLost, is what starts the dream.
  local archived_before_idle = #vim.fn.glob(PERSONAL .. '/archive/*.md', false, true)
  step('FocusLost and CursorHold report kairos/idle; activity stops the reports', function()
    local sent = {}
    local orig = client.notify
    local function spy(...)
      local a = { ... }
      -- client.notify(method, params) or client:notify(method, params)
      if type(a[1]) == 'table' then
        table.remove(a, 1)
      end
      if a[1] == 'kairos/idle' then
        table.insert(sent, a[2])
      end
      return orig(...)
    end
    client.notify = spy
    local okk, err = pcall(function()
      vim.cmd('doautocmd FocusLost')
      check(#sent == 1 and type(sent[1].idleMs) == 'number', 'FocusLost sent ' .. vim.inspect(sent))
      vim.cmd('doautocmd CursorMoved')
      sent = {}
      vim.cmd('doautocmd CursorHold')
      check(wait(3000, function()
        return #sent >= 2
      end), 'CursorHold did not lead to repeated kairos/idle reports: ' .. vim.inspect(sent))
      check(sent[2].idleMs > sent[1].idleMs, 'idleMs does not grow: ' .. vim.inspect(sent))
      vim.cmd('doautocmd CursorMoved')
      local n = #sent
      wait(1000, function()
        return false
      end)
      check(#sent == n, 'reports went on after the cursor moved: ' .. vim.inspect(sent))
    end)
    client.notify = orig
    check(okk, err)
  end)

  if commands['kairos.dream'] then
    step('the idle report made the server dream: progress, then a message', function()
      check(archived_before_idle == 0, 'a dream ran before any kairos/idle')
      check(wait(15000, function()
        return #shown_matching('dream') > 0
      end), 'no window/showMessage after the idle reports; progress: ' .. vim.inspect(progress))
      check(shown_matching('dream')[1].message:find('merge'), 'message: ' .. shown_matching('dream')[1].message)
      local kinds = {}
      for _, p in ipairs(progress) do
        kinds[p.value and p.value.kind or '?'] = true
      end
      check(kinds['begin'] and kinds['end'], 'no begin/end progress: ' .. vim.inspect(progress))
      local archived = vim.fn.glob(PERSONAL .. '/archive/*.md', false, true)
      check(#archived == 1, 'the dream did not archive one duplicate: ' .. vim.inspect(archived))
    end)

    step(':KairosDream dreams now and says what changed', function()
      vim.cmd('KairosDream')
      check(wait(10000, function()
        return noted('^kairos: dream: ') ~= nil
      end), 'no dream summary; notes: ' .. vim.inspect(notes))
      local summary = noted('^kairos: dream: ')
      check(summary:find('nothing to change', 1, true), 'second dream changed something: ' .. summary)
    end)
  else
    skip('dream on idle / :KairosDream', 'server does not advertise kairos.dream yet')
  end

  if caps.codeActionProvider then
    step(':KairosToggleProactive stops and restarts proactive suggestions', function()
      vim.cmd('KairosToggleProactive')
      check(k.proactive() == false, 'proactive is still on')
      vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'void g(char *d) { strcpy(d, "x"); }' })
      local last = vim.api.nvim_buf_line_count(buf) - 1
      check(not wait(2000, function()
        return #kairos_diags(last) > 0
      end), 'a diagnostic was published with proactive off')
      vim.cmd('KairosToggleProactive')
      check(k.proactive() == true, 'proactive is still off')
      vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'void h(char *d) { strcpy(d, "y"); }' })
      check(wait(8000, function()
        return #kairos_diags(last + 1) > 0
      end), 'no diagnostic with proactive on again')
    end)
  else
    skip(':KairosToggleProactive effect', 'server advertises no codeActionProvider yet')
  end

  step('the server stops cleanly', function()
    vim.lsp.stop_client(client.id)
    check(wait(5000, function()
      return exit_code ~= nil
    end), 'the server did not exit')
    check(exit_code == 0 and exit_signal == 0, ('exit code %s, signal %s'):format(exit_code, exit_signal))
  end)
end

local okk, err = xpcall(main, debug.traceback)
if not okk then
  record('FAIL test script: ' .. tostring(err))
end
finish()
