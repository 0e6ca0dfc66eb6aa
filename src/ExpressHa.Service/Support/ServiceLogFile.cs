using System.Text;

namespace ExpressHa.Service.Support;

/// <summary>Writes everything the service prints to stdout also to <see cref="ServiceLog.FileName"/> in the state
/// directory (for nodes not run by systemd, whose stdout nobody keeps). The file is moved to ".1" when it passes
/// <see cref="MaxBytes"/>, so two files at most. A write that fails never stops the service.</summary>
public sealed class ServiceLogFile : TextWriter
{
    public const long MaxBytes = 32L * 1024 * 1024;
    readonly TextWriter _console;
    readonly string _path;
    readonly object _gate = new();
    StreamWriter? _file;

    public ServiceLogFile(TextWriter console, string stateDir)
    {
        _console = console;
        Directory.CreateDirectory(stateDir);
        _path = Path.Combine(stateDir, ServiceLog.FileName);
        _file = Open();
    }

    public override Encoding Encoding => Encoding.UTF8;

    StreamWriter? Open()
    {
        try
        {
            return new StreamWriter(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        _console.Write(value);
        lock (_gate)
        {
            try
            {
                _file?.Write(value);
                if (_file != null && _file.BaseStream.Position > MaxBytes) Rotate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
        }
    }

    public override void WriteLine(string? value) => Write(value + Environment.NewLine);

    public override void Flush()
    {
        _console.Flush();
        lock (_gate) _file?.Flush();
    }

    void Rotate()
    {
        _file!.Dispose();
        File.Move(_path, _path + ".1", overwrite: true);
        _file = Open();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) lock (_gate) { _file?.Dispose(); _file = null; }
        base.Dispose(disposing);
    }
}
