using System;
using System.Globalization;

namespace ExpressHa.Net
{
    /// <summary>Strict dotted-quad IPv4 parsing (IPAddress.TryParse accepts "1" and "1.2", which a config must not).</summary>
    public static class Ipv4
    {
        public static bool TryParse(string? text, out uint value)
        {
            value = 0;
            if (string.IsNullOrEmpty(text)) return false;
            var parts = text!.Split('.');
            if (parts.Length != 4) return false;
            foreach (var p in parts)
            {
                if (p.Length == 0 || p.Length > 3) return false;
                foreach (var c in p) if (c < '0' || c > '9') return false;
                if (p.Length > 1 && p[0] == '0') return false;
                var b = uint.Parse(p, CultureInfo.InvariantCulture);
                if (b > 255) return false;
                value = (value << 8) | b;
            }
            return true;
        }

        public static string Format(uint value)
            => $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
    }

    public readonly struct Ipv4Cidr
    {
        public Ipv4Cidr(uint network, int prefix) { Network = network; Prefix = prefix; }
        public uint Network { get; }
        public int Prefix { get; }
        public uint Mask => Prefix == 0 ? 0u : uint.MaxValue << (32 - Prefix);
        public bool Contains(uint address) => (address & Mask) == (Network & Mask);

        public static bool TryParse(string? text, out Ipv4Cidr cidr)
        {
            cidr = default;
            if (string.IsNullOrEmpty(text)) return false;
            var slash = text!.IndexOf('/');
            if (slash < 0) return false;
            if (!Ipv4.TryParse(text.Substring(0, slash), out var net)) return false;
            if (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix < 0 || prefix > 32) return false;
            cidr = new Ipv4Cidr(net, prefix);
            return true;
        }

        public override string ToString() => Ipv4.Format(Network) + "/" + Prefix;
    }
}
