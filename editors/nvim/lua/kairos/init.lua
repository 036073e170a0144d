-- kairos for Neovim: starts `kairos lsp`, reports idleness with the
-- `kairos/idle` notification, shows dream progress and the server's
-- messages (once per session, that the workspace is not trusted), and
-- adds the user commands :KairosDream, :KairosRemember, :KairosMemories,
-- :KairosUndo, :KairosToggleProactive, :KairosTrust.
--
-- Works on Neovim 0.7 (vim.lsp.start_client + buf_attach_client), 0.8+
-- (vim.lsp.start) and 0.11+ (lsp/kairos.lua with vim.lsp.enable).
local M = {}

local uv = vim.loop

local defaults = {
  -- The server command; proxy mode is { 'kairos', 'lsp', '--', 'clangd' }.
  cmd = { 'kairos', 'lsp' },
  -- nil: every buffer that shows a file; or a list of filetypes.
  filetypes = nil,
  -- Files or directories that mark the workspace root (searched upwards
  -- from the buffer's file); the file's directory when none is found.
  root_markers = { '.kairos', '.git' },
  -- The configuration object of the protocol (proactive, memoryDir,
  -- tick, dream, llm); keys left out keep the server's defaults.
  init_options = {},
  -- Sent as settings.kairos; defaults to a copy of init_options.
  settings = nil,
  -- Report `kairos/idle` after this many ms without an edit or a cursor
  -- move, then again every idle_ms while the person stays away.
  idle_ms = 60000,
  idle_repeat = true,
  -- Report idleness at once when Neovim loses focus.
  focus_lost = true,
  -- Echo dream progress ($/progress) in the message area.
  progress = true,
  -- Create the :Kairos* user commands.
  commands = true,
  on_attach = nil,
  on_exit = nil,
  capabilities = nil,
}

M.options = vim.deepcopy(defaults)
M.dreaming = false

local has_011 = vim.fn.has('nvim-0.11') == 1

-- Client methods changed from client.notify(...) to client:notify(...).
local function cnotify(client, method, params)
  if has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

local function crequest(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function notify(msg, level)
  vim.notify('kairos: ' .. msg, level or vim.log.levels.INFO)
end

--- Every running kairos client.
function M.clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local out = {}
  for _, c in ipairs(all) do
    local stopped
    if has_011 then
      stopped = c:is_stopped()
    else
      stopped = c.is_stopped and c.is_stopped()
    end
    if c.name == 'kairos' and not stopped then
      table.insert(out, c)
    end
  end
  return out
end

--- The kairos client of a buffer (the current one by default), else any.
function M.client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local clients = M.clients()
  for _, c in ipairs(clients) do
    if vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  return clients[1]
end

-- ---- workspace root ----

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The directory above `path` that holds one of the root markers.
function M.find_root(path, markers)
  markers = markers or M.options.root_markers
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while dir and dir ~= '' do
    for _, m in ipairs(markers) do
      if exists(dir .. '/' .. m) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.fnamemodify(path, ':p:h')
end

-- ---- progress ----

local function progress_handler(err, result, ctx, config)
  local default = vim.lsp.handlers['$/progress']
  if default then
    pcall(default, err, result, ctx, config)
  end
  local v = result and result.value
  if type(v) ~= 'table' then
    return
  end
  M.dreaming = v.kind ~= 'end'
  if M.options.progress then
    local parts = { 'kairos:' }
    if v.title then
      table.insert(parts, v.title)
    end
    if v.message then
      table.insert(parts, v.message)
    end
    if v.percentage then
      table.insert(parts, ('(%d%%)'):format(v.percentage))
    end
    if v.kind == 'end' then
      table.insert(parts, '(done)')
    end
    vim.api.nvim_echo({ { table.concat(parts, ' ') } }, false, {})
  end
end

-- window/showMessage through Neovim's own handler (looked up at each
-- message, so that a replaced one is used); the server's one message
-- about an untrusted workspace also names the command that trusts it.
local function show_message_handler(err, result, ctx, config)
  if type(result) == 'table' and type(result.message) == 'string' and
    (result.message:find('not trusted', 1, true) or result.message:find('Restricted Mode', 1, true)) then
    result = vim.tbl_extend('force', result, { message = result.message .. ' In Neovim: :KairosTrust.' })
  end
  local default = vim.lsp.handlers['window/showMessage']
  if default then
    return default(err, result, ctx, config)
  end
end

M.handlers = { ['$/progress'] = progress_handler, ['window/showMessage'] = show_message_handler }

-- ---- configuration ----

local function settings_of(opts)
  if opts.settings then
    return vim.deepcopy(opts.settings)
  end
  return { kairos = vim.deepcopy(opts.init_options or {}) }
end

--- The client configuration for a workspace root (the fields of
--- vim.lsp.start / start_client).
function M.client_config(root)
  local o = M.options
  return {
    name = 'kairos',
    cmd = o.cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    init_options = vim.deepcopy(o.init_options or {}),
    settings = settings_of(o),
    handlers = M.handlers,
    capabilities = o.capabilities,
    on_attach = function(client, bufnr)
      M.on_attach(client, bufnr)
    end,
    on_exit = o.on_exit,
  }
end

-- ---- idle reporting ----

local idle = { timer = nil, since = nil }

--- Sends kairos/idle {idleMs} to every kairos client.
function M.report_idle(ms)
  ms = math.max(0, math.floor(ms))
  for _, c in ipairs(M.clients()) do
    cnotify(c, 'kairos/idle', { idleMs = ms })
  end
end

local function stop_timer()
  if idle.timer then
    idle.timer:stop()
  end
end

local function on_activity()
  stop_timer()
  idle.since = nil
end

-- Schedules the reports of one idle period that began at `since`.
local function arm(since)
  if not idle.timer then
    idle.timer = uv.new_timer()
  end
  idle.timer:stop()
  idle.since = since
  local period = M.options.idle_ms
  local due = math.max(0, since + period - uv.now())
  idle.timer:start(due, M.options.idle_repeat and period or 0, vim.schedule_wrap(function()
    if idle.since then
      M.report_idle(uv.now() - idle.since)
    end
  end))
end

local function on_hold()
  if idle.since then
    return
  end
  -- CursorHold fires after 'updatetime' ms without a key press.
  arm(uv.now() - math.min(vim.o.updatetime, M.options.idle_ms))
end

local function on_focus_lost()
  local since = idle.since or uv.now()
  M.report_idle(uv.now() - since)
  arm(since)
end

local augroup

local function install_autocmds()
  if augroup then
    return
  end
  augroup = vim.api.nvim_create_augroup('kairos', { clear = true })
  vim.api.nvim_create_autocmd({ 'CursorHold', 'CursorHoldI' }, { group = augroup, callback = on_hold })
  vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI', 'TextChanged', 'TextChangedI', 'InsertEnter',
    'FocusGained' }, { group = augroup, callback = on_activity })
  vim.api.nvim_create_autocmd('FocusLost', {
    group = augroup,
    callback = function()
      if M.options.focus_lost then
        on_focus_lost()
      end
    end,
  })
  vim.api.nvim_create_autocmd('VimLeavePre', {
    group = augroup,
    callback = function()
      stop_timer()
    end,
  })
end

-- ---- commands ----

local function exec(command, args, cb, bufnr)
  local client = M.client(bufnr)
  if not client then
    notify('no kairos server is running', vim.log.levels.WARN)
    return false
  end
  local params = { command = command, arguments = args and { args } or {} }
  crequest(client, 'workspace/executeCommand', params, function(err, result)
    if err then
      notify(command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      if cb then
        cb(err, nil)
      end
      return
    end
    if cb then
      cb(nil, result)
    end
  end, bufnr)
  return true
end
M.exec = exec

-- exec, then say what happened (`say` maps the result to a line) and
-- pass the reply on to cb.
local function exec_say(command, args, say, cb)
  return exec(command, args, function(err, r)
    if not err then
      notify(say(r))
    end
    if cb then
      cb(err, r)
    end
  end)
end

--- One line that says what a dream report changed.
function M.dream_summary(r)
  if type(r) ~= 'table' then
    return 'dream: no report'
  end
  if not r.changed then
    return ('dream: nothing to change (%d kept)'):format(r.kept or 0)
  end
  local parts = {}
  for _, k in ipairs({ { 'merged', 'merged' }, { 'contradictions', 'contradictions resolved' }, { 'pruned', 'pruned' },
    { 'datesFixed', 'dates fixed' }, { 'promoted', 'promoted' }, { 'archived', 'archived' } }) do
    if (r[k[1]] or 0) > 0 then
      table.insert(parts, ('%d %s'):format(r[k[1]], k[2]))
    end
  end
  return ('dream: %s; %d kept'):format(table.concat(parts, ', '), r.kept or 0)
end

--- Dreams now (the gates are skipped, not the lock).
function M.dream(opts, cb)
  opts = opts or {}
  return exec_say('kairos.dream', { force = opts.force ~= false, dryRun = opts.dry_run or nil }, M.dream_summary, cb)
end

local function position(line_text, lnum, byte, enc)
  local col = byte
  if enc == 'utf-16' or enc == 'utf-32' then
    local ok, u32, u16 = pcall(vim.str_utfindex, line_text, math.min(byte, #line_text))
    if ok then
      col = enc == 'utf-16' and u16 or u32
    end
  end
  return { line = lnum, character = col }
end

--- The arguments of kairos.remember for the text between two (0-based
--- line, byte) positions of a buffer, the end exclusive.
function M.remember_args(bufnr, srow, scol, erow, ecol, enc)
  local lines = vim.api.nvim_buf_get_text(bufnr, srow, scol, erow, ecol, {})
  local first = vim.api.nvim_buf_get_lines(bufnr, srow, srow + 1, false)[1] or ''
  local last = vim.api.nvim_buf_get_lines(bufnr, erow, erow + 1, false)[1] or ''
  local args = { text = table.concat(lines, '\n') }
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name ~= '' then
    args.uri = vim.uri_from_fname(name)
    args.range = { start = position(first, srow, scol, enc), ['end'] = position(last, erow, ecol, enc) }
  end
  return args
end

--- Remembers `args` (see the kairos.remember command of the protocol).
function M.remember(args, cb)
  return exec_say('kairos.remember', args, function(r)
    return 'remembered ' .. tostring(r and r.name)
  end, cb)
end

-- :KairosRemember on a range: the visual selection when the range is the
-- last visual one (characterwise or linewise), else whole lines.
local function remember_command(o)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  local enc = client and client.offset_encoding or 'utf-16'
  local store = o.bang and 'team' or nil
  if o.args and o.args ~= '' and o.range == 0 then
    M.remember({ text = o.args, store = store })
    return
  end
  if o.range == 0 then
    notify('select the text to remember (or give it as an argument)', vim.log.levels.WARN)
    return
  end
  local srow, scol, erow, ecol = o.line1 - 1, 0, o.line2 - 1, nil
  local vs, ve = vim.fn.getpos("'<"), vim.fn.getpos("'>")
  local mode = vim.fn.visualmode()
  if mode == 'v' and vs[2] == o.line1 and ve[2] == o.line2 then
    scol = vs[3] - 1
    local last = vim.api.nvim_buf_get_lines(bufnr, erow, erow + 1, false)[1] or ''
    -- '> points at the first byte of the last character: include all of it.
    local e = math.min(ve[3], #last)
    local charlen = vim.str_utf_end and vim.str_utf_end(last, e) or 0
    if not vim.str_utf_end then
      local b = last:byte(e)
      charlen = (b and b >= 0xF0 and 3) or (b and b >= 0xE0 and 2) or (b and b >= 0xC0 and 1) or 0
    end
    ecol = math.min(e + charlen, #last)
  else
    local last = vim.api.nvim_buf_get_lines(bufnr, erow, erow + 1, false)[1] or ''
    ecol = #last
  end
  local args = M.remember_args(bufnr, srow, scol, erow, ecol, enc)
  args.store = store
  M.remember(args)
end

--- Lists the memories: cb(err, list of {name, description, type, store, uri}).
function M.memories(cb)
  return exec('kairos.memories', nil, cb)
end

local function memories_command()
  M.memories(function(err, list)
    if err then
      return
    end
    if not list or #list == 0 then
      notify('no memories yet')
      return
    end
    vim.ui.select(list, {
      prompt = 'kairos memories',
      kind = 'kairos.memory',
      format_item = function(m)
        return ('%s [%s, %s]: %s'):format(m.name, m.type or '?', m.store or '?', m.description or '')
      end,
    }, function(m)
      if m and m.uri then
        vim.cmd('edit ' .. vim.fn.fnameescape(vim.uri_to_fname(m.uri)))
      end
    end)
  end)
end

--- Undoes the last change kairos made to the store.
function M.undo(cb)
  return exec_say('kairos.undo', nil, function(r)
    return 'reverted ' .. tostring(r and r.reverted)
  end, cb)
end

--- Trusts the workspace of the current buffer's server (revoke: takes
--- it back): its team store and instruction files then offer their
--- fixes. Recorded for every later session, as `kairos trust` would.
function M.trust(opts, cb)
  local revoke = opts and opts.revoke
  return exec_say('kairos.trust', revoke and { revoke = true } or nil, function(r)
    if r and r.trusted then
      return 'workspace trusted: its team memories and instruction files offer their fixes'
    end
    return 'workspace not trusted: its team memories and instruction files show diagnostics only'
  end, cb)
end

--- Whether proactive mode is on (as this editor last told the servers).
function M.proactive()
  local s = settings_of(M.options).kairos or {}
  if s.proactive == nil then
    return true
  end
  return s.proactive
end

--- Sets proactive mode on every kairos client, through
--- workspace/didChangeConfiguration {settings: {kairos: {proactive}}}.
function M.set_proactive(on)
  local o = M.options
  o.settings = settings_of(o)
  o.settings.kairos = o.settings.kairos or {}
  o.settings.kairos.proactive = on
  for _, c in ipairs(M.clients()) do
    c.config.settings = c.config.settings or {}
    c.config.settings.kairos = c.config.settings.kairos or {}
    c.config.settings.kairos.proactive = on
    cnotify(c, 'workspace/didChangeConfiguration', { settings = c.config.settings })
  end
  notify('proactive suggestions ' .. (on and 'on' or 'off'))
end

function M.toggle_proactive()
  M.set_proactive(not M.proactive())
end

local commands_done = false

local function install_commands()
  if commands_done or not M.options.commands then
    return
  end
  commands_done = true
  local cmd = vim.api.nvim_create_user_command
  cmd('KairosDream', function(o)
    M.dream({ dry_run = o.bang })
  end, { bang = true, desc = 'kairos: dream now (! = dry run)' })
  cmd('KairosRemember', remember_command,
    { range = true, bang = true, nargs = '*', desc = 'kairos: remember the selection (! = team store)' })
  cmd('KairosMemories', memories_command, { desc = 'kairos: list memories, open one' })
  cmd('KairosUndo', function()
    M.undo()
  end, { desc = 'kairos: undo the last change to the store' })
  cmd('KairosToggleProactive', function()
    M.toggle_proactive()
  end, { desc = 'kairos: toggle proactive suggestions' })
  cmd('KairosTrust', function(o)
    M.trust({ revoke = o.bang })
  end, { bang = true, desc = "kairos: trust this workspace's team store and instruction files (! = revoke)" })
end

--- Called for every buffer kairos attaches to (also from lsp/kairos.lua).
function M.on_attach(client, bufnr)
  install_autocmds()
  install_commands()
  if M.options.on_attach then
    M.options.on_attach(client, bufnr)
  end
end

-- ---- starting ----

local by_root = {}

local function wanted(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return false
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:match('^%a+://') then
    return false
  end
  local fts = M.options.filetypes
  if fts then
    return vim.tbl_contains(fts, vim.bo[bufnr].filetype)
  end
  return true
end

--- Starts (or reuses) the kairos client of a buffer's workspace and
--- attaches the buffer. Returns the client id.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not wanted(bufnr) then
    return nil
  end
  local root = M.find_root(vim.api.nvim_buf_get_name(bufnr))
  local config = M.client_config(root)
  if vim.lsp.start then
    -- 0.8 attaches the current buffer; later versions take opts.bufnr.
    return vim.api.nvim_buf_call(bufnr, function()
      return vim.lsp.start(config, { bufnr = bufnr })
    end)
  end
  local id = by_root[root]
  local c = id and vim.lsp.get_client_by_id(id)
  if not c or c.is_stopped() then
    id = vim.lsp.start_client(config)
    if not id then
      return nil
    end
    by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- setup{...}: options as in `defaults` above.
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if opts and opts.cmd then
    M.options.cmd = opts.cmd
  end
  install_autocmds()
  install_commands()
  local group = vim.api.nvim_create_augroup('kairos_start', { clear = true })
  vim.api.nvim_create_autocmd({ 'FileType', 'BufReadPost', 'BufNewFile' }, {
    group = group,
    callback = function(a)
      M.start(a.buf)
    end,
  })
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) then
      M.start(b)
    end
  end
end

return M
