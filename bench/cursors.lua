-- wrk script: each request asks for the page after a cursor drawn at random from a file of
-- cursors (one `cursor=...` query per line), so pages come from anywhere in the list.
-- `wrk -s bench/cursors.lua URL -- FILE`; URL carries the other query parameters.
local counter = 0
local queries = {}

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    queries[#queries + 1] = line
  end
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  return wrk.format(nil, wrk.path .. "&" .. queries[math.random(#queries)])
end
