using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

public sealed class ApiKeyAuthenticatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeApiKeyStore _store = new();
    private readonly SteppedClock _clock = new();

    [Theory]
    [InlineData(null, AuthFailureReason.Missing)]
    [InlineData("", AuthFailureReason.Missing)]
    [InlineData(" ", AuthFailureReason.Malformed)]
    [InlineData("Bearer rce_x", AuthFailureReason.Malformed)]
    [InlineData("rce_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE", AuthFailureReason.Unknown)]
    public async Task Authenticate_NoUsableKey_FailsWithTheReason(string? presented, AuthFailureReason reason)
    {
        var result = await Authenticator().AuthenticateAsync(presented, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Null(result.Principal);
        Assert.Equal(reason, result.Failure);
    }

    [Fact]
    public async Task Authenticate_ValidKey_GivesTenantKeyIdAndRoles()
    {
        var issued = await IssueAsync(ApiKeyRoles.Submit | ApiKeyRoles.Read);

        var result = await Authenticator().AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(AuthFailureReason.None, result.Failure);
        Assert.Equal(new ApiKeyPrincipal("acme", issued.Key.KeyId, ApiKeyRoles.Submit | ApiKeyRoles.Read), result.Principal);
        Assert.True(result.Principal.Has(ApiKeyRoles.Read));
        Assert.False(result.Principal.Has(ApiKeyRoles.Read | ApiKeyRoles.Admin));
    }

    [Fact]
    public async Task Authenticate_RightIdWrongSecret_WrongSecret()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var other = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);

        var result = await Authenticator().AuthenticateAsync(issued.Plaintext[..17] + other.Plaintext[17..], TestContext.Current.CancellationToken);

        Assert.Equal(AuthFailureReason.WrongSecret, result.Failure);
    }

    [Fact]
    public async Task Authenticate_Revoked_RevokedOnlyForTheRightSecret()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var other = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        await _store.RevokeAsync(issued.Key.KeyId, T0, TestContext.Current.CancellationToken);
        var authenticator = Authenticator();

        var right = await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken);
        var wrong = await authenticator.AuthenticateAsync(issued.Plaintext[..17] + other.Plaintext[17..], TestContext.Current.CancellationToken);

        Assert.Equal(AuthFailureReason.Revoked, right.Failure);
        Assert.Equal(AuthFailureReason.WrongSecret, wrong.Failure);
    }

    [Fact]
    public async Task Authenticate_WithinCacheTime_ReadsStorageOnce()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator();

        for (var i = 0; i < 50; i++)
        {
            Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);
            _clock.Advance(TimeSpan.FromMilliseconds(39)); // 50 × 39 ms < 2 s
        }

        Assert.Equal(1, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_RevokedWhileCached_RefusedOnceTheCacheTimePassed()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator(cacheSeconds: 5);
        Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);

        await _store.RevokeAsync(issued.Key.KeyId, T0, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        var justBefore = await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromTicks(1));
        var atFive = await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken);

        Assert.True(justBefore.Succeeded); // the documented staleness, no more
        Assert.Equal(AuthFailureReason.Revoked, atFive.Failure);
        Assert.Equal(2, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_RepeatedUnknownKeyId_MissIsCached()
    {
        var unknown = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0).Plaintext;
        var authenticator = Authenticator();

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(AuthFailureReason.Unknown, (await authenticator.AuthenticateAsync(unknown, TestContext.Current.CancellationToken)).Failure);
        }

        Assert.Equal(1, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_KeyCreatedAfterAMiss_AcceptedOnceTheMissExpired()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        var authenticator = Authenticator();
        Assert.Equal(AuthFailureReason.Unknown, (await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Failure);

        await _store.CreateAsync(issued.Key, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);
    }

    [Fact]
    public async Task Authenticate_ConcurrentRequestsForOneKeyId_ShareOneRead()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator();
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = Enumerable.Range(0, 20).Select(_ => authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken).AsTask()).ToList();
        _store.Gate.SetResult();
        var results = await Task.WhenAll(pending);

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(1, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_OneCallerCancels_OthersStillGetTheSharedRead()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator();
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var cancelled = authenticator.AuthenticateAsync(issued.Plaintext, cancel.Token).AsTask();
        var other = authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _store.Gate.SetResult();

        Assert.True((await other).Succeeded);
        Assert.Equal(1, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_StoreFails_PropagatesAndTheNextCallReadsAgain()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator();
        _store.Failure = new InvalidOperationException("storage down");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken));
        _store.Failure = null;

        Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);
        Assert.Equal(2, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_CacheSecondsZero_ReadsEveryTime()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator(cacheSeconds: 0);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);
        }

        Assert.Equal(3, _store.Reads);
    }

    [Fact]
    public async Task Authenticate_FloodOfDistinctKeyIds_CacheStaysBounded()
    {
        var issued = await IssueAsync(ApiKeyRoles.Read);
        var authenticator = Authenticator();
        Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);

        // Distinct well-formed unknown ids until the cache is full and is emptied once.
        for (var i = 0; i < ApiKeyAuthenticator.CacheCapacity; i++)
        {
            var id = string.Concat(Enumerable.Range(0, 12).Select(d => "abcdefghijklmnopqrstuvwxyz234567"[(i >> (5 * d)) & 31]));
            await authenticator.AuthenticateAsync("rce_" + id + issued.Plaintext[16..], TestContext.Current.CancellationToken);
        }

        var readsBefore = _store.Reads;
        Assert.True((await authenticator.AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken)).Succeeded);
        Assert.Equal(readsBefore + 1, _store.Reads); // the first key was dropped with the rest
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Constructor_CacheSecondsOutsideZeroToFive_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Authenticator(seconds));

    private ApiKeyAuthenticator Authenticator(int cacheSeconds = 2) =>
        new(_store, _clock, new AuthOptions { CacheSeconds = cacheSeconds });

    private async Task<IssuedApiKey> IssueAsync(ApiKeyRoles roles)
    {
        var issued = ApiKeyFormat.Issue("acme", roles, T0);
        await _store.CreateAsync(issued.Key, TestContext.Current.CancellationToken);
        return issued;
    }
}
