/**
 * Downloads a file as a File, reporting the fraction received. XHR rather than fetch: its blob
 * response is kept by the browser (on disk when large), not in the page's heap, and it reports
 * progress.
 */
export function download(url: string, name: string, onProgress: (fraction: number) => void): Promise<File> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.responseType = 'blob';
    xhr.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status === 200 ? resolve(new File([xhr.response as Blob], name)) : reject(new Error(`${xhr.status} ${xhr.statusText}`)));
    xhr.onerror = () => reject(new Error('the download failed'));
    xhr.send();
  });
}
