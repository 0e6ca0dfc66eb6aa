namespace ExpressHa.Cmdlets
{
    /// <summary>A mirror key file New-HaMirrorKey wrote: where, how long, and a fingerprint to compare the copies on
    /// every node by (never the key).</summary>
    public sealed class HaMirrorKey
    {
        public HaMirrorKey(string path, int bits, string fingerprint)
        {
            Path = path;
            Bits = bits;
            Fingerprint = fingerprint;
        }

        public string Path { get; }
        public string Name => System.IO.Path.GetFileName(Path);
        public int Bits { get; }
        public int Length => Bits / 8;
        /// <summary>SHA-256 of the key bytes, 64 upper-case hex digits.</summary>
        public string Fingerprint { get; }

        public override string ToString() => Path;
    }
}
