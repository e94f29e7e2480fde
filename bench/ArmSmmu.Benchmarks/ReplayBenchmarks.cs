using System.Globalization;
using System.Text;
using ArmSmmu.Cli.Replay;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The <c>smmu replay</c> loop over TLB-hitting traffic: parse a trace line, translate, count. Baseline: the same
/// translations already parsed, one <see cref="SmmuV3.Translate"/> each, so the ratio is what reading the trace and
/// keeping the tally cost on top of the translation itself.
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Lines = 1 << 16;

    private BenchDevice _device = null!;
    private string _trace = null!;
    private TranslationRequest[] _requests = null!;

    /// <summary>A trace of <see cref="Lines"/> reads cycling over the stage-1 stream's 512 resident pages.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new BenchDevice(SmmuFeatures.Default);
        var text = new StringBuilder();
        _requests = new TranslationRequest[Lines];
        for (int i = 0; i < Lines; i++)
        {
            ulong address = ((ulong)(i % BenchDevice.Pages) << 12) | 0x40;
            text.Append(CultureInfo.InvariantCulture, $"{BenchDevice.Stage1Sid},0x{address:x},r\n");
            _requests[i] = new TranslationRequest(BenchDevice.Stage1Sid, address, AccessKind.Read);
        }

        _trace = text.ToString();
    }

    /// <summary>Pre-parsed requests through <see cref="SmmuV3.Translate"/>: the translation alone.</summary>
    /// <returns>A checksum of the PAs.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public ulong TranslateOnly()
    {
        ulong sum = 0;
        foreach (TranslationRequest request in _requests)
        {
            sum += _device.Smmu.Translate(request).PhysicalAddress;
        }

        return sum;
    }

    /// <summary>Reading and parsing the trace alone, no translation.</summary>
    /// <returns>A checksum of the addresses.</returns>
    [Benchmark(OperationsPerInvoke = Lines)]
    public ulong ParseOnly()
    {
        ulong sum = 0;
        using var source = new TraceSource(new StringReader(_trace), null, "bench");
        while (source.TryRead(out ReplayRow row))
        {
            sum += row.Request.Address;
        }

        return sum;
    }

    /// <summary>The replay loop: trace text parsed line by line, translated, tallied per StreamID and fault type.</summary>
    /// <returns>Translations replayed.</returns>
    [Benchmark(OperationsPerInvoke = Lines)]
    public long ReplayTrace()
    {
        var replayer = new Replayer(new ReplayTarget(_device.Smmu, static () => { }), keepDisagreements: 5);
        using var source = new TraceSource(new StringReader(_trace), null, "bench");
        replayer.Replay(source);
        return replayer.Total.Translations;
    }
}
