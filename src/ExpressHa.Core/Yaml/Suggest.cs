using System;
using System.Collections.Generic;

namespace ExpressHa.Yaml
{
    /// <summary>"Did you mean" for misspelt field and type names.</summary>
    public static class Suggest
    {
        public static string? Closest(string word, IEnumerable<string> candidates, int maxDistance = 2)
        {
            string? best = null;
            int bestDistance = maxDistance + 1;
            foreach (var c in candidates)
            {
                var d = Distance(word.ToLowerInvariant(), c.ToLowerInvariant());
                if (d < bestDistance) { best = c; bestDistance = d; }
            }
            return best;
        }

        public static int Distance(string a, string b)
        {
            var prev = new int[b.Length + 1];
            var cur = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) prev[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                for (int j = 1; j <= b.Length; j++)
                    cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                var t = prev; prev = cur; cur = t;
            }
            return prev[b.Length];
        }
    }
}
