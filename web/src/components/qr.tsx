/** A QR code as a data-URL image (the CSP allows data: images, not inline scripts). */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export function Qr({ text, size = 140, label }: { text: string; size?: number; label: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(text, { width: size, margin: 1, errorCorrectionLevel: 'M' }).then(
      (url) => live && setSrc(url),
    );
    return () => {
      live = false;
    };
  }, [text, size]);
  return src ? (
    <img className="qr" src={src} width={size} height={size} alt={label} />
  ) : (
    <span className="qr" style={{ width: size, height: size }} />
  );
}
