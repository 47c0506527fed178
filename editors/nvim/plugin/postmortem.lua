-- User commands of the postmortem plugin. Defining them at startup costs nothing and starts
-- nothing: `:PostmortemNew` starts the server only when it runs and none does.
if vim.g.loaded_postmortem then
  return
end
vim.g.loaded_postmortem = true

vim.api.nvim_create_user_command('PostmortemNew', function(cmd)
  require('postmortem').new(cmd.args)
end, {
  nargs = '+',
  complete = function(arg_lead, cmd_line)
    return require('postmortem').complete_new(arg_lead, cmd_line)
  end,
  desc = 'Create a post-mortem: {slug} date=YYYY-MM-DD deploy=REV title=TEXT',
})

vim.api.nvim_create_user_command('PostmortemTimelineNow', function()
  require('postmortem').timeline_now()
end, { nargs = 0, desc = 'Append a timeline entry at the current UTC minute' })
