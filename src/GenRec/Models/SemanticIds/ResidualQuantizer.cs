using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.SemanticIds;

/// <summary>
/// Residual quantisation: <c>r_0 = z</c>; at level l the code is the nearest codeword
/// <c>c_l = argmin_k ||r_l - e_{l,k}||</c>, <c>q_l = e_{l,c_l}</c> and <c>r_{l+1} = r_l - q_l</c>;
/// the quantised vector is <c>sum_l q_l</c>. The loss per level is
/// <c>||sg(r_l) - q_l||^2 + beta ||r_l - sg(q_l)||^2</c> (codebook + commitment); gradients reach
/// the encoder straight through (<c>z + sg(q - z)</c>) or by the rotation trick.
/// </summary>
internal sealed class ResidualQuantizer : nn.Module
{
    private readonly Parameter codebooks; // [L, K, d]
    private readonly double beta;
    private readonly bool rotationTrick;

    public ResidualQuantizer(int levels, int codebookSize, int dim, double beta, bool rotationTrick) : base(nameof(ResidualQuantizer))
    {
        codebooks = nn.Parameter(randn(levels, codebookSize, dim) * (1.0 / Math.Sqrt(dim)));
        this.beta = beta;
        this.rotationTrick = rotationTrick;
        RegisterComponents();
    }

    public int Levels => (int)codebooks.shape[0];

    public int CodebookSize => (int)codebooks.shape[1];

    public Tensor Codebooks => codebooks;

    /// <summary>z [B, d] -> (quantised [B, d] with gradients to z, codes [B, L], loss scalar, residuals [L, B, d] as quantised at each level).</summary>
    public (Tensor Quantized, Tensor Codes, Tensor Loss, Tensor Residuals) Forward(Tensor z, double gumbelTemperature = 0)
    {
        var residual = z;
        var quantized = zeros_like(z);
        var loss = zeros(1, device: z.device).squeeze();
        var codes = new List<Tensor>();
        var residuals = new List<Tensor>();
        for (var level = 0; level < Levels; level++)
        {
            residuals.Add(residual.detach());
            var codebook = codebooks[level];                                            // [K, d]
            var distances = SquaredDistances(residual.detach(), codebook.detach());     // [B, K]
            var code = distances.argmin(1);                                             // [B]
            Tensor q;
            if (gumbelTemperature > 0 && training)
            {
                var gumbel = -(-rand_like(distances).clamp(1e-10, 1.0).log()).log();      // Gumbel(0, 1) noise
                var soft = ((gumbel - distances) / gumbelTemperature).softmax(1);       // [B, K]
                q = soft.matmul(codebook);                                              // [B, d]
            }
            else
            {
                q = codebook.index_select(0, code);                                     // [B, d]
            }

            loss = loss + (residual.detach() - q).pow(2).sum(1).mean() + (beta * (residual - q.detach()).pow(2).sum(1).mean());
            quantized = quantized + q;
            residual = residual - q.detach();
            codes.Add(code);
        }

        var passed = rotationTrick ? Rotate(z, quantized) : z + (quantized - z).detach();
        return (passed, stack(codes, dim: 1), loss, stack(residuals));
    }

    /// <summary>Codes only: z [B, d] -> [B, L], nearest codeword per level.</summary>
    public Tensor Encode(Tensor z) => Forward(z).Codes;

    // ||r||^2 - 2 r.e + ||e||^2: [B, d], [K, d] -> [B, K]
    internal static Tensor SquaredDistances(Tensor r, Tensor codebook) =>
        r.pow(2).sum(1, keepdim: true) - (2 * r.matmul(codebook.t())) + codebook.pow(2).sum(1).unsqueeze(0);

    // Rotation trick: q~ = sg(|q| / |e|) * sg(R) e with R the rotation taking e's direction to q's; its value is q.
    private static Tensor Rotate(Tensor e, Tensor q)
    {
        const double eps = 1e-8;
        var eNorm = e.norm(1, keepdim: true).clamp_min(eps).detach();                  // [B, 1]
        var qNorm = q.norm(1, keepdim: true).clamp_min(eps).detach();
        var eHat = (e / eNorm).detach();
        var qHat = (q / qNorm).detach();
        var r = eHat + qHat;
        r = (r / r.norm(1, keepdim: true).clamp_min(eps)).detach();                    // [B, d]
        var rotated = e - (2 * (e * r).sum(1, keepdim: true) * r) + (2 * (e * eHat).sum(1, keepdim: true) * qHat);
        return qNorm / eNorm * rotated;
    }

    /// <summary>Sets one level's codewords: [K, d].</summary>
    public void SetCodebook(int level, Tensor values)
    {
        using var _ = no_grad();
        codebooks[level].copy_(values);
    }
}
