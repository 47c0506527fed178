-- User commands of the postmortem plugin. They only talk to a running client, so defining
-- them at startup costs nothing and starts nothing.
if vim.g.loaded_postmortem then
  return
end
vim.g.loaded_postmortem = true

vim.api.nvim_create_user_command('PostmortemNew', function(cmd)
  require('postmortem').new(cmd.args)
end, { nargs = 1, desc = 'Create a post-mortem with the given slug' })

vim.api.nvim_create_user_command('PostmortemTimelineNow', function()
  require('postmortem').timeline_now()
end, { nargs = 0, desc = 'Append a timeline entry at the current UTC minute' })
