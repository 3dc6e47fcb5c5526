using Rce.Infrastructure.Workflow;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>The tenant index's keys: newest-first order, inclusive time bounds, injective tenant partitions, strict parsing.</summary>
public sealed class SubmissionIndexKeysTests
{
    private static readonly DateTimeOffset T = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(5_358_979);

    [Fact]
    public void Row_LaterCreation_SortsFirst()
    {
        var older = SubmissionIndexKeys.Row(T, "b");
        var newer = SubmissionIndexKeys.Row(T.AddTicks(1), "a");
        var muchNewer = SubmissionIndexKeys.Row(T.AddYears(50), "a");

        Assert.True(string.CompareOrdinal(newer, older) < 0);
        Assert.True(string.CompareOrdinal(muchNewer, newer) < 0);
        Assert.Equal(SubmissionIndexKeys.Row(T, "b"), SubmissionIndexKeys.Row(T.ToUniversalTime(), "b")); // the offset does not matter
    }

    [Fact]
    public void Bounds_AreInclusiveToTheTick()
    {
        var at = SubmissionIndexKeys.Row(T, "ffffffffffffffffffffffffffffffff");
        var before = SubmissionIndexKeys.Row(T.AddTicks(-1), "0");
        var after = SubmissionIndexKeys.Row(T.AddTicks(1), "0");

        // RowKey ge CreatedAtOrBefore(T): created ≤ T.
        Assert.True(string.CompareOrdinal(at, SubmissionIndexKeys.CreatedAtOrBefore(T)) >= 0);
        Assert.True(string.CompareOrdinal(before, SubmissionIndexKeys.CreatedAtOrBefore(T)) >= 0);
        Assert.True(string.CompareOrdinal(after, SubmissionIndexKeys.CreatedAtOrBefore(T)) < 0);

        // RowKey lt CreatedAtOrAfter(T): created ≥ T.
        Assert.True(string.CompareOrdinal(at, SubmissionIndexKeys.CreatedAtOrAfter(T)) < 0);
        Assert.True(string.CompareOrdinal(after, SubmissionIndexKeys.CreatedAtOrAfter(T)) < 0);
        Assert.True(string.CompareOrdinal(before, SubmissionIndexKeys.CreatedAtOrAfter(T)) >= 0);
    }

    [Fact]
    public void TryParse_RowKey_RoundTrips()
    {
        var key = SubmissionIndexKeys.Row(T, "0123456789abcdef0123456789abcdef");

        Assert.True(SubmissionIndexKeys.TryParse(key, out var ticks, out var id));
        Assert.Equal(T.UtcTicks, ticks);
        Assert.Equal("0123456789abcdef0123456789abcdef", id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0000000000000000001")]
    [InlineData("0000000000000000001-")]
    [InlineData("000000000000000001-abc")]
    [InlineData("0000000000000000001_abc")]
    [InlineData("000000000000000000x-abc")]
    [InlineData("9999999999999999999-abc")]
    [InlineData("0000000000000000001-a/b")]
    [InlineData("0000000000000000001-a'b")]
    [InlineData("+000000000000000001-abc")]
    public void TryParse_NotAnIndexKey_False(string? key)
    {
        Assert.False(SubmissionIndexKeys.TryParse(key, out _, out _));
    }

    [Fact]
    public void Partition_ValidTenant_IsTheName()
    {
        Assert.Equal("tenant-a", SubmissionIndexKeys.Partition("tenant-a"));
        Assert.Equal("o'brien", SubmissionIndexKeys.Partition("o'brien"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    [InlineData("~tenant")]
    public void Partition_NotAUsableKey_HashedWithAPrefixNoNameHas(string tenant)
    {
        var partition = SubmissionIndexKeys.Partition(tenant);

        Assert.StartsWith("~", partition, StringComparison.Ordinal);
        Assert.Equal(65, partition.Length);
        Assert.NotEqual(partition, SubmissionIndexKeys.Partition(tenant + "x"));
        Assert.Equal(partition, SubmissionIndexKeys.Partition(tenant)); // deterministic
    }

    [Fact]
    public void Partition_HashedFormOfOneTenantIsNotAnotherTenantsName()
    {
        var hashed = SubmissionIndexKeys.Partition("a/b");

        // A tenant literally named like the hashed partition is hashed itself (it starts with '~').
        Assert.NotEqual(hashed, SubmissionIndexKeys.Partition(hashed));
    }
}
