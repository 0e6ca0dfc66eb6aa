using System.Text.Json;

namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>What this node attached for a mirror, kept in the state directory from the attach until the clean detach:
/// found at the next start, it says the last stop here was not clean and what to tear down.</summary>
public sealed record AttachRecord(AttachMethod Method, string Device, string? BackingFile, int? HelperPid)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AttachRecord? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<AttachRecord>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, path, overwrite: true);
    }
}
