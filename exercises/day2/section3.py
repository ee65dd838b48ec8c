"""Day 2 Section 3 過学習: 正則化項 (L1, L2) とその勾配, Dropout, リッジ回帰, 画像の切り取りを実装します。
Day 2 Section 3 Overfitting: implement the L1/L2 penalties and gradients, Dropout, ridge regression and cropping.
"""

import numpy as np


def l2_penalty(W, lam):
    """L2 正則化項 (荷重減衰, weight decay) / The L2 penalty (weight decay).

    式 / formula:  penalty = ½ · λ · Σ W²      (損失に足す / added to the loss)
    ½ を付けるのは微分したとき 2 が消えて勾配が λ·W になるようにするためです (書籍と同じ規約)。
    The ½ makes the 2 cancel when differentiating, so the gradient is λ·W (the book's convention).

    形状 / shapes:  W: 任意の形状の ndarray (any shape),  lam: float  →  戻り値: float (スカラー / a scalar)

    例 / example:  W = [1, −2, 2], λ = 0.1 → ½ · 0.1 · (1 + 4 + 4) = 0.45
        >>> l2_penalty(np.array([1.0, -2.0, 2.0]), 0.1)
        0.45
    """
    # TODO: ½·λ·ΣW² を返す / return ½·λ·ΣW²
    raise NotImplementedError


def l2_grad(W, lam):
    """L2 正則化項の W についての勾配 / The gradient of the L2 penalty with respect to W.

    式 / formula:  ∂(½·λ·ΣW²)/∂W = λ · W      (勾配 dW に足す / added to dW)

    形状 / shapes:  W: 任意の形状 (any shape)  →  戻り値: W と同じ形状 (same shape as W)

    例 / example:  W = [1, −2, 2], λ = 0.1 → [0.1, −0.2, 0.2]
        >>> l2_grad(np.array([1.0, -2.0, 2.0]), 0.1)
        array([ 0.1, -0.2,  0.2])
    """
    # TODO: λ·W を返す / return λ·W
    raise NotImplementedError


def l1_penalty(W, lam):
    """L1 正則化項 (Lasso) / The L1 penalty (lasso).

    式 / formula:  penalty = λ · Σ |W|      (二乗ではなく絶対値 / absolute values, not squares)
    L1 は多くの重みをちょうど 0 にする (スパースにする) 効果があります。
    L1 drives many weights to exactly 0 (sparse weights).

    形状 / shapes:  W: 任意の形状 (any shape),  lam: float  →  戻り値: float (スカラー / a scalar)

    例 / example:  W = [1, −2, 2], λ = 0.1 → 0.1 · (1 + 2 + 2) = 0.5
        >>> l1_penalty(np.array([1.0, -2.0, 2.0]), 0.1)
        0.5
    """
    # TODO: λ·Σ|W| を返す / return λ·Σ|W|
    raise NotImplementedError


def l1_grad(W, lam):
    """L1 正則化項の W についての勾配 / The gradient of the L1 penalty with respect to W.

    式 / formula:  ∂(λ·Σ|W|)/∂W = λ · sign(W)      (W > 0 で +λ, W < 0 で −λ, W = 0 では 0: np.sign と同じ)
                                                   (+λ where W > 0, −λ where W < 0, 0 at W = 0, like np.sign)
    重みの大きさに関係なく一定の大きさ λ で 0 に向かって引っ張ります。
    It pulls every weight towards 0 with the same strength λ, whatever its size.

    形状 / shapes:  W: 任意の形状 (any shape)  →  戻り値: W と同じ形状 (same shape as W)

    例 / example:  W = [1, −2, 2], λ = 0.1 → [0.1, −0.1, 0.1]
        >>> l1_grad(np.array([1.0, -2.0, 2.0]), 0.1)
        array([ 0.1, -0.1,  0.1])
    """
    # TODO: λ·sign(W) を返す / return λ·sign(W)
    raise NotImplementedError


class Dropout:
    """ドロップアウト層 (書籍 common/layers.py と同じ使い方) / The Dropout layer (the book's API).

    __init__ は書籍どおり記入済みです。forward と backward を実装してください。
    __init__ is filled in as in the book; implement forward and backward.

    書籍の形 / the book's form:
        学習時 (train_flg=True):  mask = (一様乱数 (x と同じ形状) > dropout_ratio),  out = x · mask
                                  (np.random.rand(*x.shape) > self.dropout_ratio; 各要素は確率 dropout_ratio で 0)
        training: each element is set to 0 with probability dropout_ratio and kept otherwise.
        テスト時 (train_flg=False): out = x · (1 − dropout_ratio)   (学習時の出力の期待値に合わせる)
        test mode: scale by 1 − dropout_ratio, to match the expected training output.
        backward(dout):  dx = dout · mask   (forward で作った同じ mask / the same mask as in forward)

    inverted dropout (学習時に 1/(1 − dropout_ratio) 倍し, テスト時は x をそのまま返す形) も正解にします。
    学習時とテスト時・backward が同じ形で揃っていれば採点はどちらの形かを見分けます。
    Inverted dropout (scale by 1/(1 − dropout_ratio) in training, return x unchanged in test mode) is also
    accepted, as long as training, test mode and backward agree; the checks recognise which form you used.

    mask は forward のたびに新しく引きます。乱数は np.random を使ってかまいません (採点は統計で確認します)。
    Draw a new mask on every training forward; np.random is fine (the checks look at statistics only).

    形状 / shapes:  x: 任意の形状 (any shape),  out: x と同じ形状,  dout, dx: x と同じ形状

    例 / example:  dropout_ratio = 0.5, x = [1, 2, 3, 4]
        学習時, 乱数が [0.9, 0.2, 0.7, 0.4] なら mask = [T, F, T, F] → out = [1, 0, 3, 0]
        in training, random numbers [0.9, 0.2, 0.7, 0.4] give mask = [T, F, T, F] → out = [1, 0, 3, 0]
        backward(dout = [1, 1, 1, 1]) → dx = [1, 0, 1, 0]
        テスト時 / test mode: out = [0.5, 1.0, 1.5, 2.0]
    """

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        """順伝播 / Forward pass.  x → out (同じ形状 / same shape)."""
        # TODO: 学習時は mask を作って掛け, テスト時は (1 − dropout_ratio) 倍する / mask in training, scale in test
        raise NotImplementedError

    def backward(self, dout):
        """逆伝播 / Backward pass.  dout → dx (forward の mask を使う / uses the forward's mask)."""
        # TODO: forward と同じ mask を dout に掛ける / multiply dout by the forward's mask
        raise NotImplementedError


def ridge_fit(X, y, lam):
    """リッジ回帰 (L2 正則化付き最小二乗) の重みを閉形式で求める / Closed-form ridge regression.

    式 / formula:  w = argmin ‖X w − y‖² + λ ‖w‖²
                   勾配を 0 とおくと (XᵀX + λ I) w = Xᵀ y  →  w = (XᵀX + λ I)⁻¹ Xᵀ y
                   setting the gradient to 0 gives (XᵀX + λI) w = Xᵀy
    I は D×D の単位行列 (np.eye(D)) です。XᵀX + λ と書くと全要素に λ が足されてしまいます。
    バイアス (切片) はありません。np.linalg.solve が使えます。
    I is the D×D identity (np.eye(D)); writing XᵀX + λ would add λ to every entry. There is no bias
    (intercept). np.linalg.solve does the solving.

    形状 / shapes:  X: (N, D),  y: (N,),  lam: float ≥ 0  →  戻り値 w: (D,)

    例 / example:  X = [[1, 0], [0, 1], [1, 1]], y = [1, 2, 3], λ = 1
        XᵀX + λI = [[3, 1], [1, 3]],  Xᵀy = [4, 5]  →  w = [0.875, 1.375]
        >>> ridge_fit(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 3.0]), 1.0)
        array([0.875, 1.375])
    λ を大きくすると w はすべて 0 に近づきます (λ = 0 なら普通の最小二乗法)。
    A large λ shrinks every weight towards 0 (λ = 0 is ordinary least squares).
    """
    # TODO: (XᵀX + λI) w = Xᵀy を解く / solve (XᵀX + λI) w = Xᵀy
    raise NotImplementedError


def crop(image, top, bottom, left, right):
    """画像の一部を切り取る (データ拡張のクロップ) / Crop part of an image (the crop of data augmentation).

    image は (H, W, C) = (高さ, 幅, チャンネル) の配列です。行 (1 番目の軸, 縦) の範囲 top:bottom,
    列 (2 番目の軸, 横) の範囲 left:right を切り取り, チャンネルはすべて残します。bottom と right は
    Python のスライスと同じく含みません。
    image is an (H, W, C) = (height, width, channels) array. Keep rows top:bottom (axis 0, vertical) and
    columns left:right (axis 1, horizontal), and all channels; bottom and right are excluded, as in Python
    slices.

    式 / formula:  image[top:bottom, left:right, :]

    形状 / shapes:  image: (H, W, C)  →  戻り値: (bottom − top, right − left, C)

    例 / example:  image: (4, 5, 3),  crop(image, 1, 3, 0, 2)  →  形状 (2, 2, 3): image[1:3, 0:2, :]
    """
    # TODO: 縦 top:bottom, 横 left:right を切り取る / keep rows top:bottom and columns left:right
    raise NotImplementedError
