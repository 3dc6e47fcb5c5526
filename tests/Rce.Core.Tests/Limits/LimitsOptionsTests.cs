using Rce.Core.Limits;

namespace Rce.Core.Tests.Limits;

public sealed class LimitsOptionsTests
{
    [Fact]
    public void Unset_KeepsTheProductDefaults()
    {
        var options = new LimitsOptions();
        Assert.Equal(ResourceLimits.RunDefaults, options.RunLimits);
        Assert.Equal(ResourceLimits.CompileDefaults, options.CompileLimits);
    }

    [Fact]
    public void Set_OverridesOnlyWhatIsSet()
    {
        var options = new LimitsOptions { Run = new StepLimitsOptions { CpuTimeMs = 500, MemoryBytes = 64L << 20 }, Compile = new StepLimitsOptions { Processes = 200 } };
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.RunLimits.CpuTime);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), options.RunLimits.EffectiveWallTime);
        Assert.Equal(64L << 20, options.RunLimits.MemoryBytes);
        Assert.Equal(ResourceLimits.RunDefaults.StdoutBytes, options.RunLimits.StdoutBytes);
        Assert.Equal(200, options.CompileLimits.Processes);
        Assert.Equal(ResourceLimits.CompileDefaults.CpuTime, options.CompileLimits.CpuTime);
    }

    [Fact]
    public void NonPositive_IsRejected()
    {
        var options = new LimitsOptions { Run = new StepLimitsOptions { Processes = 0 } };
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RunLimits);
    }
}
