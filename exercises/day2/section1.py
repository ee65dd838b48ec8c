"""Day 2 Section 1 勾配消失問題: 活性化関数の微分, 重みの初期値, バッチ正規化を実装します。
Day 2 Section 1 Vanishing gradients: implement activation derivatives, weight initialisation and batch norm.
"""

import numpy as np


def sigmoid(x):
    """シグモイド関数 (要素ごと) / The sigmoid function, elementwise.

    式 / formula:  σ(x) = 1 / (1 + exp(−x))

    形状 / shapes:  x: 任意の形状の ndarray (any shape)  →  戻り値 / returns: x と同じ形状 (same shape)

    注意: x = −1000 のとき exp(−x) = exp(1000) はオーバーフローします (RuntimeWarning)。
    |x| が 1e3 程度まで NaN を出さずに正しい値を返してください。書籍の 1 / (1 + np.exp(−x)) は警告を
    出しますが値は正しく、正解とします (警告は助言として表示されます)。警告も出さないには: x ≥ 0 では
    1/(1+exp(−x)), x < 0 では exp(x)/(1+exp(x)) と書けば exp の引数はいつも 0 以下です (np.where や np.abs)。
    Note: for x = −1000, exp(−x) = exp(1000) overflows (RuntimeWarning). Return the right values, with no NaN,
    for |x| up to about 1e3. The book's 1 / (1 + np.exp(−x)) warns, but its values are right and it is accepted
    (the warning is shown as advice). To avoid even the warning: for x ≥ 0 use 1/(1+exp(−x)), for x < 0 use
    exp(x)/(1+exp(x)); then the argument of exp is never positive (np.where, np.abs).

    例 / example:
        >>> sigmoid(np.array([-1.0, 0.0, 2.0]))
        array([0.26894142, 0.5       , 0.88079708])
    """
    # TODO: σ(x) を NaN なしで計算する / compute σ(x) with no NaN, even for |x| ≈ 1000
    raise NotImplementedError


def sigmoid_grad(x):
    """シグモイド関数の微分 (x における値, 要素ごと) / The derivative of the sigmoid at x, elementwise.

    式 / formula:  σ'(x) = σ(x) · (1 − σ(x))

    最大値は x = 0 での 0.25 です。層を重ねるたびに 0.25 以下の値が掛かるので, 勾配が入力側の層へ
    ほとんど伝わらなくなります (勾配消失)。書籍の Sigmoid.backward は σ(x) = out を使いますが,
    この関数が受け取るのは x そのものです。
    Its maximum is 0.25, at x = 0. Each sigmoid layer multiplies the gradient by at most 0.25, so it
    vanishes on its way to the first layers. The book's Sigmoid.backward uses out = σ(x); this function
    receives x itself.

    形状 / shapes:  x: 任意の形状 (any shape)  →  戻り値: x と同じ形状 (same shape)

    例 / example:
        >>> sigmoid_grad(np.array([-1.0, 0.0, 2.0]))
        array([0.19661193, 0.25      , 0.10499359])
    """
    # TODO: σ(x)(1 − σ(x)) を返す / return σ(x)(1 − σ(x))
    raise NotImplementedError


def relu(x):
    """ReLU 関数 (要素ごと) / The ReLU function, elementwise.

    式 / formula:  relu(x) = max(0, x)

    入力 x を書き換えないこと (x[x < 0] = 0 は呼び出し側の配列を壊します)。
    Do not modify x (x[x < 0] = 0 would change the caller's array).

    形状 / shapes:  x: 任意の形状 (any shape)  →  戻り値: x と同じ形状 (same shape)

    例 / example:
        >>> relu(np.array([-1.5, 0.0, 2.0]))
        array([0., 0., 2.])
    """
    # TODO: max(0, x) を要素ごとに返す / return max(0, x) elementwise
    raise NotImplementedError


def relu_grad(x):
    """ReLU の微分 (要素ごと) / The derivative of ReLU, elementwise.

    式 / formula:  relu'(x) = 1 (x > 0),  0 (x ≤ 0)

    x > 0 では微分が 1 なので, 何層重ねても勾配が小さくなりません (勾配消失の対策)。
    x = 0 では書籍の Relu レイヤと同じく 0 とします (1 としても正解にします)。
    The derivative is 1 for x > 0, so the gradient does not shrink layer after layer (a cure for vanishing
    gradients). At x = 0 use 0, as the book's Relu layer does (1 is accepted too).

    形状 / shapes:  x: 任意の形状 (any shape)  →  戻り値: x と同じ形状, 値は 0.0 か 1.0 (values 0.0 or 1.0)

    例 / example:
        >>> relu_grad(np.array([-1.5, 0.0, 2.0]))
        array([0., 0., 1.])
    """
    # TODO: x > 0 のところ 1, それ以外 0 の配列を返す / return 1 where x > 0, else 0
    raise NotImplementedError


def xavier_init(n_in, n_out, rng):
    """Xavier の初期値で重み W を作る / Draw a weight matrix W with Xavier initialisation.

    式 / formula:  W の各要素 ~ 平均 0, 標準偏差 1/√n_in の正規分布
                   each element of W ~ normal with mean 0 and standard deviation 1/√n_in
    n_in は前の層のノード数 (入力側) です。シグモイドや tanh と組み合わせます。
    n_in is the number of nodes of the previous layer (the input side). Used with sigmoid or tanh.

    乱数は引数の rng (numpy.random.Generator) から引いてください (np.random.randn ではなく
    rng.standard_normal)。同じ rng なら同じ W になります。
    Draw from the given rng (a numpy.random.Generator): rng.standard_normal, not np.random.randn. The same
    rng gives the same W.

    形状 / shapes:  戻り値 W: (n_in, n_out)  (x: (N, n_in) に対して np.dot(x, W): (N, n_out))

    例 / example:  n_in = 100 → 標準偏差 std = 1/√100 = 0.1
        >>> W = xavier_init(100, 50, np.random.default_rng(0))
        >>> W.shape, round(float(W.std()), 2)
        ((100, 50), 0.1)
    """
    # TODO: rng から標準偏差 1/√n_in の (n_in, n_out) 配列を引く / draw (n_in, n_out) with std 1/√n_in
    raise NotImplementedError


def he_init(n_in, n_out, rng):
    """He の初期値で重み W を作る / Draw a weight matrix W with He initialisation.

    式 / formula:  W の各要素 ~ 平均 0, 標準偏差 √(2/n_in) の正規分布
                   each element of W ~ normal with mean 0 and standard deviation √(2/n_in)
    ReLU は負の半分を 0 にするので, Xavier の分散 1/n_in の 2 倍にします。√2/n_in ではなく
    √(2/n_in) です (ルートは 2/n_in 全体にかかります)。
    ReLU zeroes half of its inputs, so the variance is twice Xavier's 1/n_in. It is √(2/n_in), not √2/n_in
    (the root covers the whole of 2/n_in).

    乱数は引数の rng (numpy.random.Generator) から引いてください。
    Draw from the given rng (a numpy.random.Generator).

    形状 / shapes:  戻り値 W: (n_in, n_out)

    例 / example:  n_in = 50 → 標準偏差 std = √(2/50) = 0.2
        >>> W = he_init(50, 200, np.random.default_rng(0))
        >>> W.shape, round(float(W.std()), 1)
        ((50, 200), 0.2)
    """
    # TODO: rng から標準偏差 √(2/n_in) の (n_in, n_out) 配列を引く / draw (n_in, n_out) with std √(2/n_in)
    raise NotImplementedError


class BatchNormalization:
    """バッチ正規化レイヤ (書籍 common/layers.py と同じ使い方) / Batch normalization layer (the book's API).

    __init__ は書籍どおり記入済みです。forward と backward を実装してください。
    __init__ is filled in as in the book; implement forward and backward.

    学習時 (train_flg=True), ミニバッチ x: (N, D) の列ごとに / in training, per column of x: (N, D):
        μ = (1/N) Σ_i x_i                       (形状 (D,))
        σ² = (1/N) Σ_i (x_i − μ)²               (N で割る分散 / the variance dividing by N)
        x̂ = (x − μ) / √(σ² + ε)                 (ε = 10e-7, 0 除算対策 / against division by zero)
        out = γ · x̂ + β
    そして移動平均を更新します / and update the running statistics:
        running_mean ← momentum · running_mean + (1 − momentum) · μ
        running_var  ← momentum · running_var  + (1 − momentum) · σ²
    running_mean が None なら最初の forward で np.zeros(D) にします (running_var も同じ)。
    If running_mean is None, set it (and running_var) to np.zeros(D) on the first forward.

    テスト時 (train_flg=False) はバッチの統計ではなく移動平均を使い, 移動平均は更新しません:
    In test mode use the running statistics, not the batch's, and do not update them:
        out = γ · (x − running_mean) / √(running_var + ε) + β

    backward(dout) は dx を返し, self.dgamma = Σ_i x̂_i·dout_i, self.dbeta = Σ_i dout_i (形状 (D,)) を
    保存します。dx は μ と σ² を通る経路も含みます (計算グラフを逆にたどる):
    backward(dout) returns dx and stores self.dgamma and self.dbeta (shape (D,)). dx includes the paths
    through μ and σ² (walk the computational graph backwards):
        dx̂ = γ · dout
        dx = (1/N) / √(σ² + ε) · (N·dx̂ − Σ_i dx̂_i − x̂ · Σ_i (dx̂_i · x̂_i))

    形状 / shapes:  gamma, beta: (D,),  x: (N, D),  out: (N, D),  dout: (N, D),  dx: (N, D)
    (書籍のように 4 次元 (N, C, H, W) を (N, C·H·W) に変形して扱ってもかまいません。採点は 2 次元のみ)
    (As the book does, you may reshape a 4-D (N, C, H, W) input to (N, C·H·W); the checks use 2-D only.)

    例 / example:  gamma = [1, 1], beta = [0, 0], x = [[1, 10], [3, 30]]
        μ = [2, 20], σ² = [1, 100]  →  out ≈ [[−1, −1], [1, 1]]
        running_mean = 0.9·[0, 0] + 0.1·[2, 20] = [0.2, 2.0],  running_var = [0.1, 10.0]
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None  # Conv 層なら 4 次元, 全結合層なら 2 次元

        # テスト時に使う平均と分散 / statistics used in test mode
        self.running_mean = running_mean
        self.running_var = running_var

        # backward で使う中間データ / intermediates kept for backward
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        """順伝播 / Forward pass.  x: (N, D) → out: (N, D).

        学習時はバッチの μ, σ² で正規化して移動平均を更新, テスト時は移動平均で正規化します。
        In training normalise with the batch's μ, σ² and update the running statistics; in test mode
        normalise with the running statistics.
        """
        # TODO: 学習時とテスト時の正規化を書く / write the train-mode and test-mode normalisation
        raise NotImplementedError

    def backward(self, dout):
        """逆伝播 / Backward pass.  dout: (N, D) → dx: (N, D); self.dgamma, self.dbeta: (D,) を保存 (stored).
        """
        # TODO: dx を返し self.dgamma と self.dbeta を保存する / return dx, store self.dgamma and self.dbeta
        raise NotImplementedError
