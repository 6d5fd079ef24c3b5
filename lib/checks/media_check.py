"""Inspecting a recording (MP4, M4A, MP3, WebM) by its content with PyAV (FFmpeg's demuxers), inside the limited
child: what container it really is, which streams it has, and how long it really lasts, from the timestamps of
the packets it holds rather than the length its header declares. Nothing is decoded: demuxing reads the packets'
headers, so a 150 MB recording is measured in a fraction of a second and a little memory."""

from __future__ import annotations

from pathlib import Path

import av

from lib.checks.verdict import Verdict, refused

RECORDING_EXTENSIONS = (".mp4", ".m4a", ".mp3", ".webm")
# WebM is Matroska restricted to these codecs; FFmpeg reads both with one demuxer.
WEBM_CODECS = {"vp8", "vp9", "av1", "vorbis", "opus", "libvpx", "libvpx-vp9", "libdav1d", "libopus"}
NOT_A_RECORDING = "{name} is named {extension} but is not a recording ({what})."
MISNAMED = "{name} is named {extension} but its content is {what}: name it for what it is, or export it again."
CONTAINERS = {"mp4": "MP4", "mp3": "MP3", "webm": "WebM or Matroska", "matroska": "WebM or Matroska", "ogg": "Ogg",
              "wav": "WAV", "avi": "AVI", "flac": "FLAC", "asf": "Windows Media"}


def _misnamed(extension: str, format_name: str) -> Verdict:
    names = format_name.split(",")
    what = next((CONTAINERS[name] for name in names if name in CONTAINERS), f"another format ({names[0]})")
    return refused(MISNAMED.replace("{extension}", extension).replace("{what}", what))


def _codec(stream) -> str:
    return (stream.codec_context.name or "").lower()


def _kind(container, extension: str, streams: list) -> str | Verdict:
    """The format the content really is, or the refusal saying what it is instead."""
    name = container.format.name or ""
    has_video = any(stream.type == "video" for stream in streams)
    if extension in (".mp4", ".m4a"):
        if "mp4" not in name.split(","):
            return _misnamed(extension, name)
        return "MP4" if has_video else "M4A"
    if extension == ".mp3":
        if name != "mp3" or has_video:
            return _misnamed(extension, name)
        return "MP3"
    if "webm" not in name.split(","):
        return _misnamed(extension, name)
    others = sorted({_codec(stream) for stream in streams} - WEBM_CODECS)
    if others:
        return refused(f"{{name}} is a Matroska file with {', '.join(others)}, not WebM (VP8, VP9 or AV1 video; "
                       "Opus or Vorbis audio). Export it as MP4 or WebM.")
    return "WebM"


def _seconds_held(container) -> float:
    """How long the recording really lasts: how far the packets' timestamps reach, or, where a sound stream's codec
    fixes the samples in each packet (AAC 1024, MP3 1152), the samples it holds over its sample rate, whichever is
    longer. The container's timing is the file's word and can be scaled (a 25-minute recording claiming 15 s); the
    samples in each packet are the codec's."""
    end = 0.0
    samples: dict[int, int] = {}
    per_packet = {stream.index: (stream.codec_context.frame_size or 0, stream.codec_context.sample_rate or 0)
                  for stream in container.streams if stream.type == "audio"}
    for packet in container.demux():
        if packet.size and packet.stream.index in per_packet:
            samples[packet.stream.index] = samples.get(packet.stream.index, 0) + 1
        if packet.pts is None or packet.time_base is None:
            continue
        end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    counted = [packets * per_packet[index][0] / per_packet[index][1] for index, packets in samples.items()
               if per_packet[index][0] > 0 and per_packet[index][1] > 0]
    return max([end, *counted])


def inspect_recording(path: Path, extension: str) -> Verdict:
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            streams = [stream for stream in container.streams if stream.type in ("audio", "video")]
            if not streams:
                return refused("{name} has no sound or picture in it: it is not a recording.")
            kind = _kind(container, extension, streams)
            if isinstance(kind, Verdict):
                return kind
            start = float(container.start_time or 0) / av.time_base
            seconds = _seconds_held(container) - max(start, 0.0)
    except av.error.FFmpegError:
        return refused(NOT_A_RECORDING.replace("{extension}", extension).replace(
            "{what}", "its content is not audio or video that can be read"))
    if seconds <= 0:
        return refused("{name} holds no audio or video frames: it is empty or damaged.")
    return Verdict(True, seconds=round(seconds, 2), media_format=kind)
