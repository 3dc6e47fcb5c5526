namespace Rce.Infrastructure.Redis;

/// <summary>
/// The Lua scripts of the limiter. StackExchange.Redis sends each by SHA1 (<c>EVALSHA</c>) once the
/// server knows it and falls back to <c>EVAL</c> on <c>NOSCRIPT</c> (after a restart or failover).
/// </summary>
/// <remarks>
/// <para><b>Clock.</b> Scripts read the Redis server's clock (<c>TIME</c>, microseconds): every Functions
/// instance then agrees on what "now" is however skewed their own clocks are; a skewed instance
/// could otherwise expire entries early (admitting too much) or late.</para>
/// <para><b>Atomicity.</b> A script runs alone on the server, so a check reads and writes its keys with
/// no other client in between: 100 concurrent checks against a limit of 37 admit exactly 37.</para>
/// <para><b>All or nothing.</b> Every rule and the in-flight claim are decided before anything is
/// written; a refused check writes nothing (it only drops entries that had already expired), so a
/// refusal by one rule never consumes another rule's budget, and a refused batch consumes nothing.</para>
/// <para><b>Cluster.</b> All keys of one call must share a hash tag (see <see cref="HashTags"/>) so that
/// they live in one slot, which is what a script touching several keys needs on a cluster.</para>
/// <para><b>Layout.</b> A window is a sorted set with one member per unit counted
/// (<c>&lt;random call id&gt;:&lt;rule index&gt;:&lt;unit&gt;</c>, unique) scored by the server time in µs
/// when it was counted; an entry counts while <c>now - score &lt; window</c>. Its key expires one window
/// after its last write. Memory is one member per unit in the window, i.e. up to <c>limit</c> members.
/// The in-flight set has one member per submission id scored by its deadline in µs; an entry counts
/// while <c>now &lt; deadline</c>, whether or not it was released.</para>
/// </remarks>
internal static class RateLimitScripts
{
    /// <summary>
    /// The check. KEYS: the rules' sets, then the in-flight set if there is a claim. ARGV: rule count,
    /// call id, (limit, window ms, cost) per rule, then with a claim: max, lifetime ms, id count, ids.
    /// Returns <c>{allowed 0|1, policy index (1-based; rule count + 1 is the claim), limit, remaining,
    /// reset µs, retry-after µs}</c>.
    /// </summary>
    public const string Check = """
        -- Before any write: Redis < 5 would otherwise refuse writes after TIME (a non-deterministic command).
        if redis.replicate_commands then redis.replicate_commands() end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local n = tonumber(ARGV[1])
        local id = ARGV[2]
        local policies = {}
        local allowed = true

        local function score_at(key, rank)
          return tonumber(redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')[2])
        end

        -- Lua's unpack is bounded by the C stack (about 8000 values): add 500 members (1000 values) at a time.
        local function add_all(key, entries)
          for s = 1, #entries, 1000 do
            redis.call('ZADD', key, unpack(entries, s, math.min(s + 999, #entries)))
          end
        end

        for i = 1, n do
          local a = 3 + (i - 1) * 3
          local p = { key = KEYS[i], limit = tonumber(ARGV[a]), span = tonumber(ARGV[a + 1]) * 1000, cost = tonumber(ARGV[a + 2]), retry = 0 }
          redis.call('ZREMRANGEBYSCORE', p.key, '-inf', now - p.span)
          p.count = redis.call('ZCARD', p.key)
          p.fits = p.count + p.cost <= p.limit
          if not p.fits then
            allowed = false
            if p.cost > p.limit then
              p.retry = p.span
            else
              -- The request fits once the (count + cost - limit) oldest entries have left the window.
              p.retry = score_at(p.key, p.count + p.cost - p.limit - 1) + p.span - now
            end
          end
          policies[i] = p
        end

        if #KEYS > n then
          local b = 3 + n * 3
          local p = { key = KEYS[n + 1], limit = tonumber(ARGV[b]), span = tonumber(ARGV[b + 1]) * 1000, cost = 0, retry = 0, ids = {}, flight = true }
          redis.call('ZREMRANGEBYSCORE', p.key, '-inf', now)
          p.count = redis.call('ZCARD', p.key)
          local seen = {}
          for j = 1, tonumber(ARGV[b + 2]) do
            local member = ARGV[b + 2 + j]
            if not seen[member] then
              seen[member] = true
              p.ids[#p.ids + 1] = member
              if not redis.call('ZSCORE', p.key, member) then p.cost = p.cost + 1 end
            end
          end
          p.fits = p.count + p.cost <= p.limit
          if not p.fits then
            allowed = false
            local retry = p.span
            if p.cost <= p.limit then retry = score_at(p.key, 0) - now end
            p.retry = math.max(retry, 1000000)
          end
          policies[n + 1] = p
        end

        if allowed then
          for i, p in ipairs(policies) do
            local entries = {}
            if p.flight then
              for _, member in ipairs(p.ids) do
                entries[#entries + 1] = now + p.span
                entries[#entries + 1] = member
              end
            else
              for u = 1, p.cost do
                entries[#entries + 1] = now
                entries[#entries + 1] = id .. ':' .. i .. ':' .. u
              end
            end
            add_all(p.key, entries)
            p.count = p.count + p.cost
            if p.flight then
              local last = redis.call('ZRANGE', p.key, -1, -1, 'WITHSCORES')[2]
              if last then redis.call('PEXPIRE', p.key, math.ceil((tonumber(last) - now) / 1000)) end
            elseif p.cost > 0 then
              redis.call('PEXPIRE', p.key, p.span / 1000)
            end
          end
        end

        local chosen = 0
        for i, p in ipairs(policies) do
          if allowed then
            if chosen == 0 or p.limit - p.count < policies[chosen].limit - policies[chosen].count then chosen = i end
          elseif not p.fits and (chosen == 0 or p.retry > policies[chosen].retry) then
            chosen = i
          end
        end

        local c = policies[chosen]
        local reset = 0
        local last = redis.call('ZRANGE', c.key, -1, -1, 'WITHSCORES')[2]
        if last then
          reset = tonumber(last) - now
          if not c.flight then reset = reset + c.span end
          reset = math.max(reset, 0)
        end

        local remaining = 0
        if allowed then remaining = c.limit - c.count end
        return { allowed and 1 or 0, chosen, c.limit, remaining, reset, allowed and 0 or c.retry }
        """;

    /// <summary>Drops the in-flight entries past their deadline (server clock) and counts the rest. KEYS: the set.</summary>
    public const string CountInFlight = """
        if redis.replicate_commands then redis.replicate_commands() end
        local t = redis.call('TIME')
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(t[1]) * 1000000 + tonumber(t[2]))
        return redis.call('ZCARD', KEYS[1])
        """;
}
