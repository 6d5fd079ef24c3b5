"""Real recordings made on the spot with PyAV (FFmpeg's encoders): a short presentation for the demo, small ones for
the tests, a 150 MB one for the benchmark. A moving picture and a tone, encoded as the format asks."""

from __future__ import annotations

import io

import av
import numpy as np

FRAME_RATE = 25
# container format, video codec (None: sound only), audio codec, sample rate
FORMATS = {
    "mp4": ("mp4", "mpeg4", "aac", 44100),
    "m4a": ("ipod", None, "aac", 44100),
    "mp3": ("mp3", None, "libmp3lame", 44100),
    "webm": ("webm", "libvpx", "libopus", 48000),
}


def _video(container, stream, seconds: float, size: tuple[int, int], noisy: bool) -> None:
    width, height = size
    random = np.random.default_rng(7)
    ramp = np.linspace(0, 255, width, dtype=np.float32)
    for index in range(int(seconds * FRAME_RATE)):
        if noisy:  # noise does not compress: a large file from few frames
            picture = random.integers(0, 256, (height, width, 3), dtype=np.uint8)
        else:
            shade = (ramp + index * 4) % 256
            picture = np.repeat(np.stack([shade, shade[::-1], np.full(width, 90.0)], axis=-1)[None], height, axis=0)
            picture = picture.astype(np.uint8)
        for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _audio(container, stream, seconds: float, rate: int) -> None:
    samples_per_frame = stream.codec_context.frame_size or 1024
    done = 0
    while done < seconds * rate:
        times = np.arange(done, done + samples_per_frame) / rate
        tone = (0.2 * np.sin(2 * np.pi * 220 * times)).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(tone, format="flt", layout="mono")
        frame.sample_rate, frame.pts = rate, done
        for packet in stream.encode(frame):
            container.mux(packet)
        done += samples_per_frame
    for packet in stream.encode():
        container.mux(packet)


def recording(seconds: float, kind: str = "mp4", size: tuple[int, int] = (160, 120), noisy: bool = False,
              video_bit_rate: int | None = None) -> bytes:
    """A real recording of about this many seconds in this format (mp4, m4a, mp3, webm)."""
    container_format, video_codec, audio_codec, rate = FORMATS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        video = None
        if video_codec:
            video = container.add_stream(video_codec, rate=FRAME_RATE)
            video.width, video.height = size
            video.pix_fmt = "yuv420p"
            if video_bit_rate:
                video.bit_rate = video_bit_rate
        audio = container.add_stream(audio_codec, rate=rate)
        if video is not None:
            _video(container, video, seconds, size, noisy)
        _audio(container, audio, seconds, rate)
    return buffer.getvalue()
