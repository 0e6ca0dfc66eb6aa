using System.Diagnostics;
using System.Text.Json;

namespace ExpressHa.MirrorBench;

/// <summary>The file-system view: the same ext4 and the same fio jobs on three block devices made in the same run:
/// a loop device on a plain image file (the baseline: what the file system costs without the mirror), a loop device on
/// nbdfuse over nbdkit's unreplicated export (what the nbdfuse attach path costs), and a loop device on nbdfuse over the
/// mirrored export (what users of a mounted mirror get). Jobs: sequential 1 MiB writes ended by fsync, and 4 KiB random
/// writes each followed by fsync (a database's commit pattern).</summary>
public static class FsBench
{
    public sealed record Result(string Target, double SeqMiBps, double FsyncIops, double FsyncMeanUs, double FsyncP99Us);

    public static async Task<List<Result>> RunAsync(string dir, string baselineUri, string mirrorUri, int seqMiB, int randSeconds, int runs)
    {
        var targets = new (string Label, string? Uri)[] { ("loop-file", null), ("nbdfuse-nbdkit", baselineUri), ("nbdfuse-mirror", mirrorUri) };
        var perTarget = targets.ToDictionary(t => t.Label, _ => new List<Result>());
        for (var run = 0; run < runs; run++)
            foreach (var (label, uri) in targets)
                perTarget[label].Add(await OneAsync(dir, label, uri, seqMiB, randSeconds));
        return targets.Select(t =>
        {
            var r = perTarget[t.Label];
            double Med(Func<Result, double> f) { var s = r.Select(f).OrderBy(v => v).ToList(); return s[s.Count / 2]; }
            return new Result(t.Label, Med(x => x.SeqMiBps), Med(x => x.FsyncIops), Med(x => x.FsyncMeanUs), Med(x => x.FsyncP99Us));
        }).ToList();
    }

    static async Task<Result> OneAsync(string dir, string label, string? uri, int seqMiB, int randSeconds)
    {
        var work = Directory.CreateDirectory(Path.Combine(dir, "fs-" + label)).FullName;
        var mnt = Directory.CreateDirectory(Path.Combine(work, "mnt")).FullName;
        var fuse = Path.Combine(work, "fuse");
        string? loop = null;
        Process? nbdfuse = null;
        try
        {
            string file;
            if (uri is null)
            {
                file = Path.Combine(work, "plain.img");
                using (var f = File.Create(file)) f.SetLength((seqMiB + 128) * 1024L * 1024);
            }
            else
            {
                Directory.CreateDirectory(fuse);
                file = Path.Combine(fuse, "disk");
                var pid = Path.Combine(work, "nbdfuse.pid");
                nbdfuse = Process.Start(new ProcessStartInfo("nbdfuse", ["-P", pid, file, uri]) { RedirectStandardError = true })!;
                for (var i = 0; i < 200 && !File.Exists(pid); i++) await Task.Delay(25);
                if (!File.Exists(pid)) throw new InvalidOperationException("nbdfuse did not start: " + nbdfuse.StandardError.ReadToEnd());
            }
            // The plain file is used buffered, as nbdkit's file plugin and the mirror use theirs (page cache, fsync on
            // flush); the FUSE file with direct I/O, as the nbdfuse attach does (nothing cached twice).
            loop = Run("losetup", "--find", "--show", uri is null ? "--direct-io=off" : "--direct-io=on", file).Trim();
            Run("mkfs.ext4", "-q", "-F", loop);
            Run("mount", "-t", "ext4", loop, mnt);
            Run("sync");
            var (seq, seqSeconds) = Fio(mnt, "seq", "--rw=write", "--bs=1M", $"--size={seqMiB}M", "--end_fsync=1");
            var (rnd, _) = Fio(mnt, "rnd", "--rw=randwrite", "--bs=4k", "--size=64M", "--fsync=1", "--time_based", $"--runtime={randSeconds}");
            var seqW = seq.GetProperty("jobs")[0].GetProperty("write");
            var rndJob = rnd.GetProperty("jobs")[0];
            // fio's own bandwidth leaves out the end_fsync flush: the bytes over the wall time of the whole run count.
            var seqMiBps = seqW.GetProperty("io_bytes").GetDouble() / 1048576.0 / seqSeconds;
            var sync = rndJob.GetProperty("sync").GetProperty("lat_ns");
            var write = rndJob.GetProperty("write");
            var iops = write.GetProperty("iops").GetDouble();
            var mean = (write.GetProperty("lat_ns").GetProperty("mean").GetDouble() + sync.GetProperty("mean").GetDouble()) / 1000;
            var p99 = sync.TryGetProperty("percentile", out var pct) && pct.TryGetProperty("99.000000", out var v) ? v.GetDouble() / 1000 : double.NaN;
            var r = new Result(label, seqMiBps, iops, mean, p99);
            Console.WriteLine($"  fs {label,-15} seq {r.SeqMiBps,8:0.0} MiB/s   4K write+fsync {r.FsyncIops,7:0} IOPS, mean {r.FsyncMeanUs,6:0} µs, fsync p99 {r.FsyncP99Us,6:0} µs");
            return r;
        }
        finally
        {
            Try("umount", mnt);
            if (loop is { Length: > 0 }) Try("losetup", "-d", loop);
            if (nbdfuse is not null)
            {
                // The loop device lets go of the FUSE file a moment after losetup -d returns.
                for (var i = 0; i < 50 && !TryQuiet("fusermount3", "-u", fuse); i++) Thread.Sleep(100);
                if (!nbdfuse.WaitForExit(10_000)) { Try("fusermount3", "-u", "-z", fuse); nbdfuse.Kill(); }
            }
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    static (JsonElement Json, double Seconds) Fio(string mnt, string name, params string[] job)
    {
        var args = new List<string> { "--name=" + name, "--filename=" + Path.Combine(mnt, name + ".dat"), "--ioengine=psync", "--output-format=json" };
        args.AddRange(job);
        var sw = Stopwatch.StartNew();
        var output = Run("fio", args.ToArray());
        var seconds = sw.Elapsed.TotalSeconds;
        using var doc = JsonDocument.Parse(output);
        return (doc.RootElement.Clone(), seconds);
    }

    static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}: {e.Result}");
        return o.Result;
    }

    static bool TryQuiet(string file, params string[] args)
    {
        try { Run(file, args); return true; } catch (InvalidOperationException) { return false; }
    }

    static void Try(string file, params string[] args)
    {
        try { Run(file, args); } catch (InvalidOperationException e) { Console.Error.WriteLine(e.Message); }
    }
}
