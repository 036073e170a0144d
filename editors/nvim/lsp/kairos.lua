-- kairos for Neovim 0.11+: put editors/nvim on the runtimepath, then
--   vim.lsp.enable('kairos')
-- Override fields with vim.lsp.config('kairos', { init_options = {...} }).
-- The on_attach below also installs kairos's idle reporting (kairos/idle)
-- and its :Kairos* user commands; see README.md.
return {
  cmd = { 'kairos', 'lsp' },
  -- nil: every buffer (all text files of the workspace).
  filetypes = nil,
  root_markers = { '.kairos', '.git' },
  -- The configuration object of the protocol; keys left out keep the
  -- server's defaults: proactive, memoryDir, tick, dream, llm.
  init_options = {},
  settings = { kairos = {} },
  handlers = require('kairos').handlers,
  on_attach = function(client, bufnr)
    require('kairos').on_attach(client, bufnr)
  end,
}
